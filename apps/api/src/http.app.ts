import { ErrorCode } from '@ktrdr/errors';
import type { Logger } from '@ktrdr/runtime';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { ApiConfig } from './api.config.js';
import { AppModule } from './app.module.js';
import { API_LOGGER } from './backend.service.js';
import { ErrorEnvelopeFilter } from './error-envelope.filter.js';

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

export async function createHttpApp(config: ApiConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), { bodyParser: false, logger: ['error', 'warn'] });
  const log = app.get<Logger>(API_LOGGER);
  app.use(pinoHttp({ logger: log, autoLogging: { ignore: (req) => req.url === '/api/v1/health' } }));
  app.use(express.json({ limit: config.bodyLimit, strict: false, type: ['application/json', 'application/*+json'] }));
  app.use(bodyErrorHandler);
  app.setGlobalPrefix('api/v1');
  app.useGlobalFilters(new ErrorEnvelopeFilter(log));
  app.enableShutdownHooks();
  if (config.docs) {
    const doc = new DocumentBuilder()
      .setTitle('ktrdr research agent API')
      .setDescription('Research cycles and operations. Contract: SPEC.md §3–§4.')
      .setVersion('1')
      .build();
    SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'api/docs/json' });
  }
  return app;
}
