import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PAGE_ROUTE, resolvedPath } from './access.policy.js';

/**
 * The web view (apps/web) is built by `npm run build` into apps/web/dist, beside this app's dist
 * in the repository and in the Docker image alike, so no setting points at it.
 */
export const WEB_DIST_DIR = resolve(__dirname, '..', '..', 'web', 'dist');

/**
 * Paths the page must never shadow: the REST API and docs, the queue dashboard, the metrics scrape.
 * Case-insensitive, on the decoded path: `/API/v1/…` is not the page either (it needs the token).
 */
const NOT_THE_PAGE = /^\/(api|admin|metrics)(\/|$)/i;

/** Whether the client takes HTML: no Accept header, or one naming text/html, the text wildcard or the full wildcard. */
function acceptsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return !accept || /(^|,)\s*(text\/html|text\/\*|\*\/\*)\s*(;|,|$)/i.test(accept);
}

/** What the page's catch-all answers with: a file of the build, the page itself, or nothing (the API's 404). */
export type PageTarget = { file: string } | 'index' | null;

/**
 * Decided on the router's decoded wildcard, so the access check (auth.hook.ts) and the handler
 * below agree on every spelling of a path: open is only what this returns non-null for.
 */
export function pageTarget(req: FastifyRequest): PageTarget {
  const rest = (req.params as { '*'?: string })['*'] ?? '';
  // Judged as a lenient proxy would resolve it: `//admin`, `/x/../api`, `/%2561pi`, `/api;x=1` are not the page either.
  if (NOT_THE_PAGE.test(resolvedPath(rest))) return null;
  if (rest !== '' && /\.[a-z0-9]+$/i.test(rest)) return { file: rest };
  return acceptsHtml(req) ? 'index' : null;
}

/**
 * Serves the built page at `/`: hashed assets cached for a year, and index.html (never cached, so
 * a new build shows at once) for every other GET that asks for HTML — the page's own routes
 * (`/history`, `/cycles/{id}`) load on a reload or a shared link. Static files need no token: the
 * page asks for it when the API answers 401. Without a build of the page, nothing is mounted.
 *
 * Registered as its own fastify plugin: `reply.sendFile` stays private to it, so the queue
 * dashboard's plugin can decorate its own. The catch-all GET ranks below every real route in
 * fastify's router, so it only ever sees paths nothing else answers.
 */
export async function mountWebApp(app: NestFastifyApplication, dir: string = WEB_DIST_DIR): Promise<boolean> {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  await app.register(async (web: FastifyInstance) => {
    await web.register(fastifyStatic, { root: join(dir, 'assets'), prefix: '/assets/', immutable: true, maxAge: '365d', index: false, decorateReply: false });
    await web.register(fastifyStatic, { root: dir, serve: false, index: false, maxAge: 0 });
    web.get(PAGE_ROUTE, (req, reply) => {
      const target = pageTarget(req);
      // Nest's not-found handler answers these with the API's 404 envelope.
      if (target === null) return reply.callNotFound();
      // @fastify/static keeps the file inside `dir`: a `..` is refused (a 404, error-envelope.filter.ts).
      if (target !== 'index') return reply.sendFile(target.file);
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    });
  });
  return true;
}
