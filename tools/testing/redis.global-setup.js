// Gives every test a real Redis: REDIS_URL when set; otherwise a private redis-server on a free
// port (never the shared instance on 6379), started by the helper the bench and the launcher use
// (tools/shared/redis.server.ts, transformed by jest like any test file); otherwise, where Docker
// exists, a testcontainer, loaded lazily because testcontainers is heavy and only needed there.
const { startPrivateRedis } = require('../shared/redis.server.ts');

async function startContainer() {
  const { RedisContainer } = require('@testcontainers/redis');
  const container = await new RedisContainer('redis:7-alpine').start();
  return { url: container.getConnectionUrl(), stop: async () => container.stop() };
}

module.exports = async function globalSetup() {
  if (process.env.REDIS_URL) return;
  const started =
    (await startPrivateRedis()) ??
    (await startContainer().catch((e) => {
      throw new Error(`No Redis for tests: set REDIS_URL, install redis-server (apt-get install -y redis-server), or run Docker. (${e.message})`);
    }));
  process.env.REDIS_URL = started.url;
  globalThis.__KTRDR_TEST_REDIS__ = started;
};
