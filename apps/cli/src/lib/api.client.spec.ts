import { ErrorCode } from '@ktrdr/errors';
import { ApiClient, apiUrlFromEnv, errorFromBody, networkReason, unreachableMessage } from './api.client';
import { ApiError } from './api.error';

// Fixtures use the codes the API really sends (libs/errors), so a renamed code fails here.

describe('apiUrlFromEnv', () => {
  it('defaults to http://localhost:8000 and strips trailing slashes', () => {
    expect(apiUrlFromEnv({})).toBe('http://localhost:8000');
    expect(apiUrlFromEnv({ KTRDR_API_URL: '  ' })).toBe('http://localhost:8000');
    expect(apiUrlFromEnv({ KTRDR_API_URL: 'http://api:9000//' })).toBe('http://api:9000');
  });
});

describe('errorFromBody', () => {
  it('reads the standard error envelope', () => {
    const err = errorFromBody(404, { success: false, error: { code: ErrorCode.OperationNotFound, message: 'Operation not found: op_1' } });
    expect(err.code).toBe('OPERATION_NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.message).toBe('Operation not found: op_1');
  });

  it('reads the agent routes top-level reason/message', () => {
    const err = errorFromBody(409, { success: false, reason: 'not_cancellable', message: 'Operation op_1 is already finished' });
    expect(err.code).toBe('not_cancellable');
    expect(err.message).toBe('Operation op_1 is already finished');
  });

  it('prefers the documented reason over the envelope code when both are present', () => {
    const err = errorFromBody(409, {
      success: false,
      reason: 'not_cancellable',
      message: 'Operation op_1 is already finished (status: cancelled)',
      error: { code: ErrorCode.OperationFinished, message: 'Operation op_1 is already finished (status: cancelled)' },
    });
    expect(err.code).toBe('not_cancellable');
    expect(err.message).toBe('Operation op_1 is already finished (status: cancelled)');
  });

  it('keeps validation details', () => {
    const details = [{ field: 'model' }];
    expect(errorFromBody(422, { error: { code: ErrorCode.ValidationFailed, message: 'bad', details } }).details).toBe(details);
  });

  it('falls back to the HTTP status for bodies without a message', () => {
    const err = errorFromBody(502, null);
    expect(err.code).toBe('http_502');
    expect(err.message).toBe('the ktrdr API answered HTTP 502');
  });
});

describe('networkReason', () => {
  const fetchFailed = (cause: unknown): Error => new TypeError('fetch failed', { cause });

  it('names common connection failures', () => {
    expect(networkReason(fetchFailed(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })))).toBe('connection refused');
    expect(networkReason(fetchFailed(Object.assign(new Error('x'), { code: 'ENOTFOUND' })))).toBe('host not found');
    expect(networkReason(fetchFailed(Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' })))).toBe('connection timed out');
  });

  it('finds the code inside an AggregateError (happy eyeballs)', () => {
    const agg = new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'all failed');
    expect(networkReason(fetchFailed(agg))).toBe('connection refused');
  });

  it('uses the innermost message when there is no code', () => {
    expect(networkReason(fetchFailed(new Error('bad port')))).toBe('bad port');
  });

  it('builds the unreachable sentence naming the URL', () => {
    expect(unreachableMessage('http://localhost:8000', 'connection refused')).toBe(
      'cannot reach the ktrdr API at http://localhost:8000 (connection refused). Is it running? Start it with: npm start',
    );
  });
});

describe('ApiClient.health', () => {
  const answer = (status: number, body: unknown) => jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify(body), { status }));
  const client = () => new ApiClient({ baseUrl: 'http://api.test', token: null });
  afterEach(() => jest.restoreAllMocks());

  it('returns the healthy answer with the store it carries', async () => {
    const store = { blobs: 2, bytes: 300, by_kind: { strategy: { blobs: 2, bytes: 300 } } };
    answer(200, { success: true, status: 'healthy', redis: { connected: true, latency_ms: 0.3, used_memory_bytes: 1000 }, queues: {}, workers: {}, store });
    expect(await client().health()).toMatchObject({ status: 'healthy', redis: { used_memory_bytes: 1000 }, store });
  });

  it('returns a 503 unhealthy answer as a value (the outcome the command reports), not an error', async () => {
    const body = {
      success: false,
      status: 'unhealthy',
      redis: { connected: false, error: 'connect ECONNREFUSED' },
      error: { code: ErrorCode.BackendUnavailable, message: 'Redis is unreachable: connection refused' },
    };
    answer(503, body);
    expect(await client().health()).toEqual(body);
  });

  it('throws for a 503 that is not the health answer (a proxy in front of a stopped API)', async () => {
    answer(503, { success: false, error: { code: ErrorCode.BackendUnavailable, message: 'upstream gone' } });
    await expect(client().health()).rejects.toEqual(expect.any(ApiError));
  });
});
