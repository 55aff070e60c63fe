import { ErrorCode } from '@ktrdr/errors';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { bearerToken, tokenDigest, tokenMatches } from './auth.policy.js';

/** Routes that stay open with a token set: liveness probes and scrapers carry no secrets (SPEC §11). */
const OPEN_API_PATHS = new Set(['/api/v1/health', '/api/v1/health/']);

/**
 * EventSource cannot send headers, so the live events route also takes the token as
 * `?access_token=` (the request logger strips it from logged URLs: see http.app.ts).
 */
const EVENTS_PATH = /^\/api\/v1\/operations\/[^/]+\/events\/?$/;

/**
 * The queue dashboard is a browser page whose own scripts and API calls cannot send a bearer header:
 * `/admin/…?access_token=<token>` once sets this cookie (HttpOnly, SameSite=Strict, only for /admin)
 * and redirects to the same path without the token; later /admin requests carry the cookie.
 */
const ADMIN_COOKIE = 'ktrdr_admin_token';
const ADMIN_PATH = /^\/admin(\/|$)/;

/**
 * One cookie's value from a Cookie header. Parsed by hand, and only under /admin: a cookie plugin
 * would parse every request's cookies on the hot read paths, for a dashboard that needs one.
 */
function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** `?access_token=` of a request, if it has exactly one. */
function queryToken(req: FastifyRequest): string | null {
  const q = (req.query as Record<string, unknown>)['access_token'];
  return typeof q === 'string' ? q : null;
}

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
    if (!given && req.method === 'GET' && EVENTS_PATH.test(path)) given = queryToken(req);
    if (!given && ADMIN_PATH.test(path)) {
      const fromUrl = req.method === 'GET' ? queryToken(req) : null;
      if (fromUrl && tokenMatches(expected, fromUrl)) {
        const secure = req.protocol === 'https' ? '; Secure' : '';
        void reply
          .header('set-cookie', `${ADMIN_COOKIE}=${encodeURIComponent(fromUrl)}; Path=/admin; HttpOnly; SameSite=Strict${secure}`)
          .redirect(path, 303);
        return;
      }
      given = cookieValue(req.headers.cookie, ADMIN_COOKIE);
    }
    if (tokenMatches(expected, given)) return done();
    // Answering without calling done() ends the request here (fastify's hook contract).
    void reply.code(401).header('WWW-Authenticate', 'Bearer realm="ktrdr"').send(UNAUTHORIZED_BODY);
  };
}
