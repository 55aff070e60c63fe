import { posix } from 'node:path';

/**
 * Who may reach which route, decided on the route the router matched — the pattern as this API
 * registered it (`/api/v1/operations/:id`), never the text the client sent. The router decodes
 * percent-encoding, resolves absolute-form targets (`GET http://host/api/…`) and ignores trailing
 * slashes before it matches; a check on the raw URL sees none of that, so `/%61pi/v1/operations`
 * once passed a prefix check on `/api/` and still reached the operations route. Deny by default:
 * a route is protected unless it is named here, so a route added later needs the token without
 * anyone remembering to protect it.
 */

/** Liveness probes and the Prometheus scrape: no secrets, no effects. */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['/api/v1/health', '/metrics']);

/** The web view's built assets: open while the path, however spelled, stays inside /assets/. */
const ASSETS_ROUTE = '/assets/*';

/** The web view's catch-all (web.static.ts): open only for the requests it answers with the page or a file of its build. */
export const PAGE_ROUTE = '/*';

/** Where the queue dashboard is mounted (outside /api/v1, like the metrics scrape). */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** The live events stream: EventSource cannot send headers, so this route also takes `?access_token=`. */
export const EVENTS_ROUTE = '/api/v1/operations/:id/events';

/** Methods that only read: the dashboard answers these, and refuses the rest unless its actions are enabled. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

export type RouteAccess = 'open' | 'assets' | 'page' | 'token';

/** `route` is fastify's `request.routeOptions.url`: undefined when no route matched (the not-found handler). */
export function routeAccess(route: string | undefined): RouteAccess {
  if (route === undefined) return 'token';
  if (OPEN_ROUTES.has(route)) return 'open';
  if (route === ASSETS_ROUTE) return 'assets';
  return route === PAGE_ROUTE ? 'page' : 'token';
}

/** Percent-decoded until nothing changes (a few rounds at most); text that will not decode stays as it is. */
function decodedFully(text: string): string {
  let current = text;
  for (let round = 0; round < 4 && current.includes('%'); round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * A path as the most lenient server or proxy in front of this one might resolve it: decoded again
 * (`%2561pi` → `api`), without an absolute-form origin (`HTTP://host/api`, whatever the case of the
 * scheme), without `;` parameters (`/api;x=1/v1`), with `.`, `..` and empty segments resolved. The
 * routes that answer without a token for some paths (the page, the assets) judge the path this
 * way, so no spelling of an API path is taken for one of theirs.
 */
export function resolvedPath(path: string): string {
  const decoded = decodedFully(path).replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const segments = decoded.split(/[/\\]/).map((s) => s.replace(/;.*$/, ''));
  return posix.normalize(`/${segments.join('/')}`);
}

/** The assets route's wildcard stays inside /assets/ however it is spelled. */
export function insideAssets(wildcard: string): boolean {
  return resolvedPath(`/assets/${wildcard}`).startsWith('/assets/');
}

export function isDashboardRoute(route: string | undefined): boolean {
  return route !== undefined && (route === QUEUE_DASHBOARD_PATH || route.startsWith(`${QUEUE_DASHBOARD_PATH}/`));
}

/**
 * Where the dashboard's sign-in redirects: the path the client asked for, always same-origin. The
 * URL API resolves an absolute-form target to its path, and collapsing leading slashes keeps
 * `//elsewhere.example/…` from becoming a protocol-relative redirect off this host.
 */
export function sameOriginPath(rawUrl: string): string {
  let pathname: string;
  try {
    pathname = new URL(rawUrl, 'http://localhost').pathname;
  } catch {
    pathname = QUEUE_DASHBOARD_PATH;
  }
  return `/${pathname.replace(/^[/\\]+/, '')}`;
}
