import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * The web view (SPEC §10, apps/web) is built by `npm run build` into apps/web/dist, beside this
 * app's dist in the repository and in the Docker image alike, so no setting points at it.
 */
export const WEB_DIST_DIR = resolve(__dirname, '..', '..', 'web', 'dist');

/** Paths the page must never shadow: the REST API and docs, the queue dashboard, the metrics scrape. */
const NOT_THE_PAGE = /^\/(api|admin|metrics)(\/|$)/;

/**
 * Serves the built page at `/`: hashed assets cached for a year, and index.html (never cached, so
 * a new build shows at once) for every other GET that asks for HTML — the page's own routes
 * (`/history`, `/cycles/{id}`) load on a reload or a shared link. Static files need no token: the
 * page asks for it when the API answers 401. Without a build of the page, nothing is mounted.
 */
export function mountWebApp(app: INestApplication, dir: string = WEB_DIST_DIR): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const assets = express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false, index: false });
  const files = express.static(dir, { index: false, maxAge: 0 });
  app.use('/assets', (req: Request, res: Response, next: NextFunction) => assets(req, res, next));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_THE_PAGE.test(req.path)) return next();
    if (req.path !== '/' && /\.[a-z0-9]+$/i.test(req.path)) return files(req, res, next);
    if (!req.accepts('html')) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
