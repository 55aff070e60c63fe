import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startStack, type Stack } from '../../../tools/testing/stack.harness';

/**
 * Strategies in the store of record, end to end on the built API: imported over HTTP into Redis,
 * read back as stored, never replaced, and still there for an API whose directory is gone.
 */
type Envelope<T = unknown> = { success: boolean; data: T; error?: { code: string; message: string; details?: Record<string, unknown> } };
type Imported = { name: string; created: boolean; hash: string; path: string };

let stack: Stack;
let dir: string;
/** Read at load: the cases below are built from it before any hook runs. */
const minimal = readFileSync(join(repoRoot(), 'strategies', 'v3_minimal.yaml'), 'utf8');

const named = (name: string, text = minimal): string => text.replace(/^name: .*$/m, `name: ${name}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ktrdr-api-strategies-'));
  // An empty strategies directory of its own: every strategy below reaches the API through the store.
  stack = await startStack({ workers: [], apiEnv: { KTRDR_STRATEGIES_DIR: join(dir, 'strategies') } });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('API: importing and exporting strategies', () => {
  const text = `# written by hand: comments survive the round trip\n${named('imported_rsi')}`;

  it('POST /strategies stores a YAML text under its name (201) in Redis, and GET …/yaml answers it as written', async () => {
    const res = await stack.request<Envelope<Imported>>('POST', '/strategies', { yaml: text });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      name: 'imported_rsi',
      created: true,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      path: join(dir, 'strategies', 'imported_rsi.yaml'),
    });
    expect(await stack.redis.hget(`${stack.prefix}:{ops}:blobs:names:strategy`, 'imported_rsi')).toBe(res.body.data.hash);

    const source = await stack.request<Envelope<{ name: string; yaml: string; valid: boolean }>>('GET', '/strategies/imported_rsi/yaml');
    expect(source.status).toBe(200);
    expect(source.body.data).toEqual({ name: 'imported_rsi', yaml: text, valid: true });
    const list = await stack.request<Envelope<Array<{ name: string; valid: boolean }>>>('GET', '/strategies');
    expect(list.body.data.map((s) => [s.name, s.valid])).toEqual([['imported_rsi', true]]);
    expect((await stack.request<Envelope<{ name: string }>>('GET', '/strategies/imported_rsi')).body.data.name).toBe('imported_rsi');
  });

  it('answers the same text again with 200 created: false, and other content under a stored name with 409 STRATEGY_EXISTS', async () => {
    const again = await stack.request<Envelope<Imported>>('POST', '/strategies', { yaml: text });
    expect(again.status).toBe(200);
    expect(again.body.data.created).toBe(false);
    const other = await stack.request<Envelope>('POST', '/strategies', { yaml: named('imported_rsi').replace(/^description: .*$/m, 'description: another') });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'STRATEGY_EXISTS', message: expect.stringContaining('Strategy imported_rsi already exists') });
    expect((await stack.request<Envelope<{ yaml: string }>>('GET', '/strategies/imported_rsi/yaml')).body.data.yaml).toBe(text);
  });

  it('takes a config object too, stored as YAML with its defaults filled in', async () => {
    const config = (await stack.request<Envelope<Record<string, unknown>>>('GET', '/strategies/imported_rsi')).body.data;
    const res = await stack.request<Envelope<Imported>>('POST', '/strategies', { config: { ...config, name: 'from_json' } });
    expect(res.status).toBe(201);
    const source = (await stack.request<Envelope<{ yaml: string }>>('GET', '/strategies/from_json/yaml')).body.data.yaml;
    expect(source).toMatch(/^name: from_json$/m);
    expect(source).toMatch(/^decisions:$/m);
  });

  it.each([
    ['an invalid strategy', { yaml: 'name: half_done\ndescription: not finished\n' }, 422, 'STRATEGY_INVALID', 'Strategy half_done is invalid'],
    ['text that is not YAML', { yaml: 'name: [unclosed' }, 422, 'STRATEGY_INVALID', 'not valid YAML'],
    ['a hostile name', { yaml: named('../../etc/passwd') }, 422, 'STRATEGY_INVALID', 'name: expected letters'],
    ['an empty body', {}, 422, 'VALIDATION_FAILED', 'give exactly one of yaml or config'],
    ['both yaml and config', { yaml: text, config: {} }, 422, 'VALIDATION_FAILED', 'give exactly one of yaml or config'],
    ['an unknown field', { yaml: text, path: '/etc' }, 422, 'VALIDATION_FAILED', 'unknown field(s): path'],
    ['a text over the body limit', { yaml: `${text}#${'x'.repeat(120 * 1024)}\n` }, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large'],
  ])('POST /strategies with %s → %d %s, storing nothing', async (_label, body, status, code, message) => {
    const res = await stack.request<Envelope>('POST', '/strategies', body);
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
    expect(res.body.error?.message).toContain(message);
    const names = (await stack.request<Envelope<Array<{ name: string }>>>('GET', '/strategies')).body.data.map((s) => s.name);
    expect(names).toEqual(['from_json', 'imported_rsi']);
  });

  it.each([
    ['/strategies/nope/yaml', 404, 'NOT_FOUND'],
    ['/strategies/..%2F..%2Fetc%2Fpasswd/yaml', 422, 'VALIDATION_FAILED'],
  ])('GET %s → %d', async (path, status, code) => {
    const res = await stack.request<Envelope>('GET', path);
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
  });

  it('keeps serving every strategy from Redis to an API whose strategies directory is gone', async () => {
    // The write-through copies exist, but nothing reads them: remove the directory and restart.
    expect((await readdir(join(dir, 'strategies'))).sort()).toEqual(['from_json.yaml', 'imported_rsi.yaml']);
    await rm(join(dir, 'strategies'), { recursive: true, force: true });
    await stack.restartApi();
    const list = await stack.request<Envelope<Array<{ name: string; valid: boolean }>>>('GET', '/strategies');
    expect(list.body.data.map((s) => [s.name, s.valid])).toEqual([
      ['from_json', true],
      ['imported_rsi', true],
    ]);
    expect((await stack.request<Envelope<{ yaml: string }>>('GET', '/strategies/imported_rsi/yaml')).body.data.yaml).toBe(text);
    const trigger = await stack.request<{ triggered: boolean }>('POST', '/agent/trigger', { strategy: 'imported_rsi' });
    expect(trigger.status).toBe(202);
    expect(trigger.body.triggered).toBe(true);
  });
});
