import { backendFailure, toEnvelope } from './error-envelope.filter';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const withStatus = (message: string, statusCode: number, code?: string): Error => Object.assign(new Error(message), { statusCode, ...(code ? { code } : {}) });

describe('error envelope', () => {
  it('names why Redis cannot serve a request, by its reply code or the connection failure', () => {
    expect(backendFailure(new Error("OOM command not allowed when used memory > 'maxmemory'. script: e8ff26, on @user_script:6."))).toMatch(
      /^Redis refused the write: it is out of memory/,
    );
    expect(backendFailure(new Error("READONLY You can't write against a read only replica."))).toBe(
      'Redis refused the write: the server is a read-only replica',
    );
    expect(backendFailure(new Error('LOADING Redis is loading the dataset in memory'))).toMatch(/^Redis is loading/);
    expect(backendFailure(new Error('CLUSTERDOWN The cluster is down'))).toMatch(/cluster is down/);
    expect(backendFailure(withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'))).toBe('Redis is unreachable: connection refused');
    expect(backendFailure(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(
      'Redis is unreachable: not connected (reconnecting)',
    );
    expect(backendFailure(new Error('ERR wrong number of arguments'))).toBeNull();
    expect(backendFailure('not an error')).toBeNull();
  });

  it('answers a backend failure 503 BACKEND_UNAVAILABLE with that sentence', () => {
    expect(toEnvelope(withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'))).toEqual({
      status: 503,
      body: { success: false, error: { code: 'BACKEND_UNAVAILABLE', message: 'Redis is unreachable: connection refused' } },
    });
  });

  it('keeps a client error of fastify or a static file server a 4xx, a refused path a missing file', () => {
    expect(toEnvelope(withStatus('Forbidden', 403))).toEqual({
      status: 404,
      body: { success: false, error: { code: 'ROUTE_NOT_FOUND', message: 'No such file' } },
    });
    expect(toEnvelope(withStatus('Bad Request', 400)).status).toBe(400);
    expect(toEnvelope(withStatus('Request body is too large', 413, 'FST_ERR_CTP_BODY_TOO_LARGE'))).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
    });
    expect(toEnvelope(withStatus('Forbidden by a plugin', 403, 'FST_ERR_X')).status).toBe(403);
  });

  it('answers anything unexpected 500 without its message', () => {
    expect(toEnvelope(new TypeError('x is undefined'))).toEqual({
      status: 500,
      body: { success: false, error: { code: 'INTERNAL', message: 'Internal server error' } },
    });
  });
});
