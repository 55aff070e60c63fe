import { ErrorCode } from '@ktrdr/errors';
import type { Logger } from '@ktrdr/runtime';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { QUEUE_NAMES } from '@ktrdr/queues';
import { RequestMethod, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { ApiConfig } from './api.config.js';
import { AppModule } from './app.module.js';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { apiTokenMiddleware } from './auth.middleware.js';
import { API_LOGGER, Backend } from './backend.service.js';
import { ErrorEnvelopeFilter } from './error-envelope.filter.js';
import { setupOpenApi } from './openapi.document.js';
import { mountWebApp } from './web.static.js';

/**
 * Body parsing errors happen in express middleware, before Nest's filters can see them; this
 * handler gives them the same envelope (malformed JSON → 400, oversized body → 413).
 */
function bodyErrorHandler(err: { type?: string; message?: string }, _req: Request, res: Response, next: NextFunction): void {
  if (err?.type === 'entity.parse.failed') {
    res.status(400).json({ success: false, error: { code: ErrorCode.MalformedJson, message: `Malformed JSON body: ${err.message}` } });
  } else if (err?.type === 'entity.too.large') {
    res.status(413).json({ success: false, error: { code: ErrorCode.PayloadTooLarge, message: 'Request body too large' } });
  } else if (err?.type) {
    res.status(400).json({ success: false, error: { code: ErrorCode.MalformedJson, message: `Unreadable request body: ${err.message}` } });
  } else next(err);
}

const OPERATION_ID_IN_URL = /op_[a-z_]+_\d{8}_\d{6}_[0-9a-f]{8}/;

/** The events route's `?access_token=` must never reach a log line. */
export function redactedUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[REDACTED]');
}

/** Probes and scrapers would drown the log; they are answered, not logged. */
const QUIET_PATHS = new Set(['/api/v1/health', '/metrics']);

export async function createHttpApp(config: ApiConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), { bodyParser: false, bufferLogs: true });
  const log = app.get<Logger>(API_LOGGER);
  // nestjs-pino (LoggerModule with useExisting) routes Nest's own lines through the same pino logger.
  app.useLogger(app.get(NestPinoLogger));
  app.use(
    pinoHttp({
      logger: log,
      autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]!) },
      // Every request line about an operation carries its id (SPEC §11), whatever the route.
      customProps: (req) => {
        const m = OPERATION_ID_IN_URL.exec(req.url ?? '');
        return m ? { operation_id: m[0] } : {};
      },
      serializers: {
        req: (req: { url?: string; headers?: Record<string, unknown> }) => {
          const { authorization: _auth, cookie: _cookie, ...headers } = req.headers ?? {};
          return { ...req, url: redactedUrl(req.url ?? ''), headers };
        },
      },
    }),
  );
  // Before body parsing and routing: an unauthenticated request is refused before anything is read.
  app.use(apiTokenMiddleware(config.auth.token));
  const json = (limit: string) => express.json({ limit, strict: false, type: ['application/json', 'application/*+json'] });
  // Registered first: a parsed body is not parsed again, so the import route gets the larger limit.
  app.use('/api/v1/data/import', json(config.importBodyLimit));
  app.use(json(config.bodyLimit));
  app.use(bodyErrorHandler);
  // The web view at `/` (apps/web/dist); the REST API stays under /api/v1.
  mountWebApp(app);
  mountQueueDashboard(app, app.get(Backend));
  app.setGlobalPrefix('api/v1', { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });
  app.useGlobalFilters(new ErrorEnvelopeFilter(log));
  app.enableShutdownHooks();
  if (config.docs) setupOpenApi(app);
  return app;
}

/** bull-board at /admin/queues (behind the token, like every /admin path): the queues this API produces to. */
function mountQueueDashboard(app: INestApplication, backend: Backend): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: QUEUE_NAMES.map((n) => new BullMQAdapter(backend.producer.queue(n), { readOnlyMode: false })), serverAdapter });
  app.use('/admin/queues', serverAdapter.getRouter());
}
