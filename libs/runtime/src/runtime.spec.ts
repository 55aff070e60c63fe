import { z } from 'zod';
import { artifactLimits, closeRedis, ConfigError, envBoolean, openFailFastRedis, openRedis, parseEnv, researchDirs, sharedEnvSchema } from './index';

describe('parseEnv', () => {
  const schema = sharedEnvSchema.extend({
    PORT: z.coerce.number().int().min(1).max(65535).default(8000),
    FLAG: envBoolean.default(false),
    TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  });

  it('fills defaults, treats empty strings as unset and coerces types', () => {
    const e = parseEnv(schema, { PORT: '9000', FLAG: 'yes', LOG_LEVEL: '' });
    expect(e).toMatchObject({ PORT: 9000, FLAG: true, LOG_LEVEL: 'info', REDIS_URL: 'redis://127.0.0.1:6379', KTRDR_KEY_PREFIX: 'ktrdr' });
  });

  it('lists every bad variable at once, each with what was given, in words an operator can act on', () => {
    let error: unknown;
    try {
      parseEnv(schema, {
        PORT: 'abc',
        FLAG: 'maybe',
        REDIS_URL: 'nope',
        LOG_LEVEL: 'loud',
        KTRDR_KEY_PREFIX: 'a b',
        TOKEN: 'short',
        KTRDR_ARTIFACT_MAX_MB: '999',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: expected a number (got "abc")',
        'FLAG: expected true or false (got "maybe")',
        'REDIS_URL: expected a URL (e.g. redis://127.0.0.1:6379) (got "nope")',
        'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        expect.stringMatching(/^KTRDR_KEY_PREFIX: letters, digits, .* \(got "a b"\)$/),
        'TOKEN: use at least 16 characters',
        'KTRDR_ARTIFACT_MAX_MB: must be at most 256 (got "999")',
      ]),
    );
    expect(problems).toHaveLength(7);
    expect((error as ConfigError).message).toBe(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
  });
});

describe('envBoolean and derived settings', () => {
  it('accepts true/false/1/0/yes/no and nothing else', () => {
    for (const [raw, v] of [
      ['true', true],
      ['1', true],
      ['yes', true],
      ['false', false],
      ['0', false],
      ['no', false],
    ] as const)
      expect(envBoolean.parse(raw)).toBe(v);
    expect(envBoolean.safeParse('on').success).toBe(false);
  });

  it('resolves research directories and artifact limits', () => {
    expect(researchDirs({ KTRDR_STRATEGIES_DIR: '/s', KTRDR_DATA_DIR: 'd' })).toEqual({ strategiesDir: '/s', dataDir: `${process.cwd()}/d` });
    expect(artifactLimits({ KTRDR_ARTIFACT_TTL_DAYS: 1.5, KTRDR_ARTIFACT_MAX_MB: 2 })).toEqual({ ttlSeconds: 129_600, maxBytes: 2 * 1024 * 1024 });
  });
});

describe('redis helpers (real Redis)', () => {
  it('open named connections that answer, and close them', async () => {
    const url = process.env['REDIS_URL']!;
    const a = openRedis(url, 'runtime-spec-a');
    const b = openFailFastRedis(url, 'runtime-spec-b');
    expect(await a.ping()).toBe('PONG');
    expect(await b.client('GETNAME')).toBe('runtime-spec-b');
    expect(a.options.maxRetriesPerRequest).toBeNull(); // what BullMQ workers require
    expect(b.options.maxRetriesPerRequest).toBe(1);
    await closeRedis(a, b);
    await expect(a.ping()).rejects.toThrow(/closed/i);
  });

  it('a fail-fast connection to nothing fails a command instead of waiting forever', async () => {
    const c = openFailFastRedis('redis://127.0.0.1:1', 'runtime-spec-dead');
    c.on('error', () => undefined); // refused connections are expected here
    await expect(c.ping()).rejects.toThrow();
    c.disconnect();
  });
});
