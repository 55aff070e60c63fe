import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The web view (SPEC §10, apps/web) is built by `npm run build` into apps/web/dist, beside this
 * app's dist in the repository and in the Docker image alike, so no setting points at it.
 */
export const WEB_DIST_DIR = resolve(__dirname, '..', '..', 'web', 'dist');

/** Paths the page must never shadow: the REST API and docs, the queue dashboard, the metrics scrape. */
const NOT_THE_PAGE = /^\/(api|admin|metrics)(\/|$)/;

/** Whether the client takes HTML: no Accept header, or one naming text/html, the text wildcard or the full wildcard. */
function acceptsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return !accept || /(^|,)\s*(text\/html|text\/\*|\*\/\*)\s*(;|,|$)/i.test(accept);
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
    web.get('/*', (req, reply) => {
      const path = req.url.split('?', 1)[0]!;
      const isFile = path !== '/' && /\.[a-z0-9]+$/i.test(path);
      // Nest's not-found handler answers these with the API's 404 envelope.
      if (NOT_THE_PAGE.test(path) || !(isFile || acceptsHtml(req))) return reply.callNotFound();
      // The router has already decoded the wildcard; @fastify/static keeps it inside `dir`.
      if (isFile) return reply.sendFile((req.params as { '*': string })['*']);
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    });
  });
  return true;
}
