// Gives every test a real Redis: REDIS_URL when set; otherwise a private redis-server on a free
// port (never the shared instance on 6379); otherwise, where Docker exists, a testcontainer,
// loaded lazily because testcontainers is heavy and only needed there.
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function ping(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const sock = net.connect(port, host);
    sock.setTimeout(500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => { sock.destroy(); resolve(d.toString().startsWith('+PONG')); });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => { sock.destroy(); resolve(false); });
  });
}

async function startRedisServer() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
    detached: false,
  });
  for (let i = 0; i < 100; i++) {
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, stop: async () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port}`);
}

async function startContainer() {
  const { RedisContainer } = require('@testcontainers/redis');
  const container = await new RedisContainer('redis:7-alpine').start();
  return { url: container.getConnectionUrl(), stop: async () => container.stop() };
}

module.exports = async function globalSetup() {
  if (process.env.REDIS_URL) return;
  const started = (await startRedisServer()) ?? (await startContainer().catch((e) => {
    throw new Error(`No Redis for tests: set REDIS_URL, install redis-server (apt-get install -y redis-server), or run Docker. (${e.message})`);
  }));
  process.env.REDIS_URL = started.url;
  globalThis.__KTRDR_TEST_REDIS__ = started;
};
