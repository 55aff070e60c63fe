import { Redis } from 'ioredis';
import { explainOvercommit } from '../launcher/redis.launcher';
import { OVERCOMMIT_NOTE, pingPort, redisServerArgs, startPrivateRedis } from './redis.server';

describe('the shared redis-server helper', () => {
  it('starts a throwaway server on a free port that answers, keeps nothing on disk, and stops it', async () => {
    const redis = await startPrivateRedis();
    if (!redis) throw new Error('redis-server is required for this test (apt-get install -y redis-server)');
    const port = Number(new URL(redis.url).port);
    const client = new Redis(redis.url);
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      client.disconnect();
    }
    await redis.stop();
    expect(await pingPort(port)).toBe(false);
  });

  it("gives the launcher's server AOF and noeviction in its directory, loopback only", () => {
    expect(redisServerArgs({ port: 6380, dir: '/d', logLevel: 'warning' })).toEqual([
      '--port',
      '6380',
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--dir',
      '/d',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--loglevel',
      'warning',
    ]);
    expect(redisServerArgs({ port: 1 })).toEqual(['--port', '1', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  });

  it("replaces redis-server's overcommit warning with one explanatory line, once", () => {
    const notes: string[] = [];
    const show = explainOvercommit((l) => notes.push(l));
    const warning = '1:M 01 Jan 2026 00:00:00.000 # WARNING Memory overcommit must be enabled! Without it, a background save ...';
    expect(show(warning)).toBe(false);
    expect(show(warning)).toBe(false);
    expect(show('1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp')).toBe(true);
    expect(notes).toEqual([OVERCOMMIT_NOTE]);
  });
});
