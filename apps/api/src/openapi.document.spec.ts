import { ErrorEnvelopeSchema, OperationInfoSchema } from '@ktrdr/api-contract';
import { BlobStore } from '@ktrdr/operations';
import { MarketDataRepository } from '@ktrdr/market-data';
import { StrategyStore } from '@ktrdr/strategies';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AgentController } from './agent.controller';
import { AgentService } from './agent.service';
import { ArtifactsController } from './artifacts.controller';
import { ArtifactsService } from './artifacts.service';
import { Backend } from './backend.service';
import { DataController } from './data.controller';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { HealthController } from './health.controller';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from './openapi.document';
import { renderApiMarkdown } from './openapi.markdown';
import { OperationsController } from './operations.controller';
import { StrategiesController } from './strategies.controller';

/**
 * The document is built from the real controllers and the contract registries. Nothing handles a
 * request here, so the services are empty placeholders: only the route metadata is read.
 */
const CONTROLLERS = [OperationsController, ArtifactsController, EventsController, AgentController, HealthController, DataController, StrategiesController];
const SERVICES = [Backend, AgentService, ArtifactsService, EventsService, MarketDataRepository, StrategyStore, BlobStore];

let app: INestApplication;
let doc: OpenAPIObject;

beforeAll(async () => {
  // ThrottlerModule: the rate-limit guard on trigger/resume needs its settings to be built.
  const module = await Test.createTestingModule({
    imports: [ThrottlerModule.forRoot([])],
    controllers: CONTROLLERS,
    providers: SERVICES.map((s) => ({ provide: s, useValue: {} })),
  }).compile();
  app = module.createNestApplication(new FastifyAdapter(), { logger: false });
  app.setGlobalPrefix('api/v1');
  await app.init();
  doc = buildOpenApiDocument(app);
});
afterAll(async () => {
  await app?.close();
});

type Responses = Record<string, { content?: Record<string, { schema?: unknown }> }>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function operations(): Array<{ route: string; responses: Responses }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => ({
      route: `${m.toUpperCase()} ${path}`,
      responses: ((item as Record<string, { responses: Responses }>)[m]!.responses ?? {}) as Responses,
    })),
  );
}

const hasSchema = (r: Responses[string] | undefined): boolean => Object.values(r?.content ?? {}).some((c) => c.schema !== undefined);

describe('OpenAPI document', () => {
  it('covers every route of every controller', () => {
    const routes = operations().map((o) => o.route);
    expect(routes.length).toBeGreaterThanOrEqual(17);
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/operations/{id}',
        'POST /api/v1/agent/trigger',
        'GET /api/v1/operations/{id}/events',
        'DELETE /api/v1/agent/cancel/{id}',
      ]),
    );
  });

  it('documents a success body and an error body for every route', () => {
    const missing = operations().flatMap(({ route, responses }) => {
      const codes = Object.keys(responses);
      const problems: string[] = [];
      if (!codes.some((c) => c.startsWith('2') && hasSchema(responses[c]))) problems.push(`${route}: no success schema`);
      // The scrape has no error answer: it is open, and without Redis it still answers (queue gauges left out).
      if (route !== 'GET /metrics' && !codes.some((c) => Number(c) >= 400 && hasSchema(responses[c]))) problems.push(`${route}: no error schema`);
      return problems;
    });
    expect(missing).toEqual([]);
  });

  it('has the error envelope as a component and every $ref resolves', () => {
    const schemas = doc.components?.schemas ?? {};
    expect(schemas['ErrorEnvelope']).toMatchObject({ type: 'object', required: ['success', 'error'] });
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    expect([...new Set(refs)].filter((r) => !(r in schemas))).toEqual([]);
  });

  it('describes the operation record with the contract fields, failure_code and cancelled_by included', () => {
    const info = doc.components?.schemas?.['OperationInfo'] as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(info.properties).sort()).toEqual(Object.keys(OperationInfoSchema.shape).sort());
    expect(info.required).toEqual(expect.arrayContaining(['failure_code', 'cancelled_by', 'status']));
    expect(Object.keys((doc.components?.schemas?.['ErrorEnvelope'] as { properties: object }).properties)).toEqual(Object.keys(ErrorEnvelopeSchema.shape));
  });

  it('points nowhere outside the repository', () => {
    expect(doc.info.description).not.toMatch(/\.\.\//);
  });
});

describe('access in the document', () => {
  it('marks every route the access policy does not open as taking the token, with its 401', () => {
    for (const { route, responses } of operations()) {
      const open = route === 'GET /api/v1/health' || route === 'GET /metrics';
      expect({ route, has401: '401' in responses }).toEqual({ route, has401: !open });
    }
  });

  it('documents /metrics as Prometheus text', () => {
    const metrics = (doc.paths['/metrics']?.get?.responses as Responses)['200'];
    expect(Object.keys(metrics?.content ?? {})).toEqual(['text/plain; version=0.0.4']);
  });
});

describe('docs/API.md', () => {
  // Regenerate with: KTRDR_WRITE_DOCS=1 npx jest apps/api/src/openapi.document.spec.ts
  const file = join(__dirname, '..', '..', '..', 'docs', 'API.md');

  it('is the OpenAPI document rendered, up to date', () => {
    const rendered = renderApiMarkdown(doc);
    if (process.env['KTRDR_WRITE_DOCS'] === '1') writeFileSync(file, rendered);
    expect(readFileSync(file, 'utf8')).toBe(rendered);
    expect(rendered).toContain('### DELETE /api/v1/agent/cancel/{id}');
    expect(rendered).toContain('### ErrorEnvelope');
  });
});
