import { ErrorCode } from '@ktrdr/errors';
import type { Logger } from '@ktrdr/runtime';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { pinoHttp } from 'pino-http';
import type { ApiConfig } from './api.config.js';
import { QUEUE_DASHBOARD_PATH } from './access.policy.js';
import { AppModule } from './app.module.js';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { accessHook } from './auth.hook.js';
import { API_LOGGER } from './backend.service.js';
import { ErrorEnvelopeFilter } from './error-envelope.filter.js';
import { registerJsonBodyParser, sizeInBytes } from './json-body.parser.js';
import { setupOpenApi } from './openapi.document.js';
import { mountWebApp } from './web.static.js';

const OPERATION_ID_IN_URL = /op_[a-z_]+_\d{8}_\d{6}_[0-9a-f]{8}/;

/** An `?access_token=` (the events route, the dashboard's sign-in) must never reach a log line. */
export function redactedUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[REDACTED]');
}

/**
 * The request headers an access log line keeps: an allow-list, so a header added by a client or a
 * proxy (a session cookie, an API key of another service) never reaches the log by default.
 */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'accept', 'x-forwarded-for', 'x-request-id'] as const;

export function loggedHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (headers[name] !== undefined) kept[name] = headers[name];
  return kept;
}

/** Probes and scrapers would drown the log; they are answered, not logged. */
const QUIET_PATHS = new Set(['/api/v1/health', '/metrics']);

/**
 * The API on Nest's fastify platform: measured beside a bare node:http handler, Nest on express
 * kept about a fifth of its read throughput and fastify most of it (docs/BENCHMARKS.md).
 */
export async function createHttpApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const limits = { bytes: sizeInBytes(config.bodyLimit), importBytes: sizeInBytes(config.importBodyLimit) };
  const adapter = new FastifyAdapter({
    // Request lines come from pino-http below, in the same shape as every other process's logs.
    logger: false,
    bodyLimit: Math.max(limits.bytes, limits.importBytes),
    trustProxy: config.trustProxy,
    // Any id the HTTP server accepts reaches its route, which says what is wrong with it, instead
    // of the router answering a bare 404.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 64 * 1024 },
    // A URL the router cannot decode (`%ff`) is the client's fault: the envelope's 400. The message
    // never echoes the URL: its query may carry an `?access_token=`.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      const message = err.code === 'FST_ERR_BAD_URL' ? 'Malformed request target: the path is not valid percent-encoding' : 'Malformed request';
      void reply.code(400).send({ success: false, error: { code: ErrorCode.BadRequest, message } });
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config), adapter, { bodyParser: false, bufferLogs: true });
  const log = app.get<Logger>(API_LOGGER);
  // nestjs-pino (LoggerModule with useExisting) routes Nest's own lines through the same pino logger.
  app.useLogger(app.get(NestPinoLogger));
  const fastify = app.getHttpAdapter().getInstance();
  const requestLog = pinoHttp({
    logger: log,
    autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]!) },
    // Every request line about an operation carries its id, whatever the route.
    customProps: (req) => {
      const m = OPERATION_ID_IN_URL.exec(req.url ?? '');
      return m ? { operation_id: m[0] } : {};
    },
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string; remoteAddress?: string; headers?: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: redactedUrl(req.url ?? ''),
        remoteAddress: req.remoteAddress,
        headers: loggedHeaders(req.headers ?? {}),
      }),
    },
  });
  // First the request logger (so refusals are logged too), then the token: an unauthenticated
  // request is refused before its body is read or a route runs. Request lines are info: below
  // that level nothing would be written, so no per-request logger is built either (failures are
  // logged by the error filter at error level whatever happens here).
  if (log.isLevelEnabled('info')) {
    fastify.addHook('onRequest', (req, reply, done) => {
      requestLog(req.raw, reply.raw);
      done();
    });
  }
  fastify.addHook('onRequest', accessHook({ token: config.auth.token, dashboardActions: config.dashboardActions }));
  registerJsonBodyParser(fastify, limits);
  // The web view at `/` (apps/web/dist); the REST API stays under /api/v1.
  await mountWebApp(app);
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'metrics', method: RequestMethod.GET },
      { path: QUEUE_DASHBOARD_PATH.slice(1), method: RequestMethod.ALL },
    ],
  });
  app.useGlobalFilters(new ErrorEnvelopeFilter(log));
  app.enableShutdownHooks();
  if (config.docs) setupOpenApi(app);
  return app;
}
