import { ErrorCode } from '@ktrdr/errors';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { EVENTS_ROUTE, READ_METHODS, insideAssets, isDashboardRoute, routeAccess, sameOriginPath } from './access.policy.js';
import { bearerToken, tokenDigest, tokenMatches } from './auth.policy.js';
import { pageTarget } from './web.static.js';

/**
 * The queue dashboard is a browser page whose own scripts and API calls cannot send a bearer header:
 * `/admin/…?access_token=<token>` once sets this cookie (HttpOnly, SameSite=Strict, only for /admin)
 * and redirects to the same path without the token; later /admin requests carry the cookie.
 */
const ADMIN_COOKIE = 'ktrdr_admin_token';

/**
 * One cookie's value from a Cookie header. Parsed by hand, and only on dashboard routes: a cookie
 * plugin would parse every request's cookies on the hot read paths, for a dashboard that needs one.
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
  const q = (req.query as Record<string, unknown> | undefined)?.['access_token'];
  return typeof q === 'string' ? q : null;
}

const UNAUTHORIZED_BODY = {
  success: false,
  error: { code: ErrorCode.Unauthorized, message: 'Missing or invalid API token: send Authorization: Bearer <KTRDR_API_TOKEN>' },
} as const;

const DASHBOARD_READ_ONLY_BODY = {
  success: false,
  error: {
    code: ErrorCode.DashboardReadOnly,
    message: 'The queue dashboard is read-only: set KTRDR_DASHBOARD_ACTIONS=true to pause, retry, clean or remove jobs from it',
  },
} as const;

export interface AccessSettings {
  /** `KTRDR_API_TOKEN`; null: no token is asked for (loopback, or an open API on purpose). */
  token: string | null;
  /** `KTRDR_DASHBOARD_ACTIONS`: the dashboard may change queues (pause, retry, clean, obliterate…). */
  dashboardActions: boolean;
}

/** Whether the matched route may be answered without a token (access.policy.ts decides on the route, deny by default). */
function isOpen(req: FastifyRequest): boolean {
  const access = routeAccess(req.routeOptions.url);
  if (access === 'open') return true;
  if (access === 'assets') return insideAssets((req.params as { '*'?: string })['*'] ?? '');
  return access === 'page' && pageTarget(req) !== null;
}

/**
 * A fastify onRequest hook. Fastify has routed the request when this runs (before its body is read
 * or a handler runs), so access is decided on the route it will reach (access.policy.ts): the same
 * 401 for every protected route whatever the spelling of the path, and whether the resource exists
 * or not (nothing to learn by probing ids). With no token configured everything is let through but
 * the dashboard's write actions, which need their own setting either way.
 */
export function accessHook(settings: AccessSettings): onRequestHookHandler {
  const expected = settings.token ? tokenDigest(settings.token) : null;
  const refuseDashboardWrite = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (settings.dashboardActions || READ_METHODS.has(req.method) || !isDashboardRoute(req.routeOptions.url)) return false;
    void reply.code(403).send(DASHBOARD_READ_ONLY_BODY);
    return true;
  };
  return (req, reply, done) => {
    if (isOpen(req)) return done();
    if (!expected) return refuseDashboardWrite(req, reply) ? undefined : done();
    const route = req.routeOptions.url;
    let given = bearerToken(req.headers.authorization);
    if (!given && req.method === 'GET' && route === EVENTS_ROUTE) given = queryToken(req);
    if (!given && isDashboardRoute(route)) {
      const fromUrl = req.method === 'GET' ? queryToken(req) : null;
      if (fromUrl && tokenMatches(expected, fromUrl)) {
        const secure = req.protocol === 'https' ? '; Secure' : '';
        void reply
          .header('set-cookie', `${ADMIN_COOKIE}=${encodeURIComponent(fromUrl)}; Path=/admin; HttpOnly; SameSite=Strict${secure}`)
          .redirect(sameOriginPath(req.url), 303);
        return;
      }
      given = cookieValue(req.headers.cookie, ADMIN_COOKIE);
    }
    if (!tokenMatches(expected, given)) {
      // Answering without calling done() ends the request here (fastify's hook contract).
      void reply.code(401).header('WWW-Authenticate', 'Bearer realm="ktrdr"').send(UNAUTHORIZED_BODY);
      return;
    }
    if (!refuseDashboardWrite(req, reply)) done();
  };
}
