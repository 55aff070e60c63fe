import { ErrorCode } from '@ktrdr/errors';
import type { onRequestHookHandler } from 'fastify';
import { bearerToken, tokenDigest, tokenMatches } from './auth.policy.js';

/** Routes that stay open with a token set: liveness probes and scrapers carry no secrets (SPEC §11). */
const OPEN_API_PATHS = new Set(['/api/v1/health', '/api/v1/health/']);

/**
 * EventSource cannot send headers, so the live events route — and only it — also takes the token
 * as `?access_token=` (the request logger strips it from logged URLs: see http.app.ts).
 */
const EVENTS_PATH = /^\/api\/v1\/operations\/[^/]+\/events\/?$/;

/** Everything under /api (REST, docs) and /admin (queue dashboard) is protected; the web view's static files are not. */
function isProtected(path: string): boolean {
  if (OPEN_API_PATHS.has(path)) return false;
  return path === '/api' || path.startsWith('/api/') || path === '/admin' || path.startsWith('/admin/');
}

export const UNAUTHORIZED_BODY = {
  success: false,
  error: { code: ErrorCode.Unauthorized, message: 'Missing or invalid API token: send Authorization: Bearer <KTRDR_API_TOKEN>' },
} as const;

/**
 * A fastify onRequest hook, the first thing every request meets (before body parsing and routing),
 * so a request without the token is refused before anything is read — the same 401 for every path,
 * whether the route or the resource exists or not (nothing to learn by probing ids). With no token
 * configured it lets everything through.
 */
export function apiTokenHook(token: string | null): onRequestHookHandler {
  const expected = token ? tokenDigest(token) : null;
  return (req, reply, done) => {
    const path = req.url.split('?', 1)[0]!;
    if (!expected || !isProtected(path)) return done();
    let given = bearerToken(req.headers.authorization);
    if (!given && req.method === 'GET' && EVENTS_PATH.test(path)) {
      const q = (req.query as Record<string, unknown>)['access_token'];
      given = typeof q === 'string' ? q : null;
    }
    if (tokenMatches(expected, given)) return done();
    // Answering without calling done() ends the request here (fastify's hook contract).
    void reply.code(401).header('WWW-Authenticate', 'Bearer realm="ktrdr"').send(UNAUTHORIZED_BODY);
  };
}
