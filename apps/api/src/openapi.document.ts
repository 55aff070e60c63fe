import { requestSchemas, responseSchemas } from '@ktrdr/api-contract';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { routeAccess } from './access.policy.js';
import { schemaRef } from './openapi.decorators.js';

/** Where the document is served: the UI, and the JSON and YAML documents beside it. */
export const DOCS_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = `${DOCS_PATH}/openapi.json`;
export const OPENAPI_YAML_PATH = `${DOCS_PATH}/openapi.yaml`;

const DESCRIPTION = [
  'Research cycles (agent routes) and the operations they are made of, market data, strategies, artifacts and live events.',
  'Every error answer is the `ErrorEnvelope` `{success: false, error: {code, message, details?}}`; the agent routes keep their',
  'documented top-level refusal fields (`triggered`/`success`, `reason`, `operation_id`, `message`) and carry `error` as well.',
  'The schemas are generated from the zod contract in libs/api-contract; docs/API.md is this document rendered as Markdown.',
].join(' ');

type SchemaObject = Record<string, unknown>;

/** The contract's registered schemas as OpenAPI 3.0 components (responses as written, requests as sent). */
export function contractComponents(): Record<string, SchemaObject> {
  const convert = (registry: typeof responseSchemas, io: 'input' | 'output'): Record<string, SchemaObject> => {
    const { schemas } = z.toJSONSchema(registry, { io, target: 'openapi-3.0', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
    return Object.fromEntries(
      Object.entries(schemas).map(([id, schema]) => {
        // `$id`/`$schema` are JSON Schema keywords OpenAPI 3.0 does not allow inside components.
        const { $id: _id, $schema: _schema, ...rest } = schema as SchemaObject;
        return [id, rest];
      }),
    );
  };
  return { ...convert(responseSchemas, 'output'), ...convert(requestSchemas, 'input') };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const UNAUTHORIZED = {
  description: 'Missing or wrong bearer token (when KTRDR_API_TOKEN is set): the same answer whether the route or the resource exists or not',
  content: { 'application/json': { schema: schemaRef('ErrorEnvelope') } },
};

/**
 * The access policy written into the document, from the same table the access hook decides with
 * (access.policy.ts): every route it does not open takes the bearer token and says what answers a
 * missing one. Responses are listed in status order.
 */
function documentAccess(doc: OpenAPIObject): void {
  for (const [path, item] of Object.entries(doc.paths)) {
    if (routeAccess(path.replace(/\{(\w+)\}/g, ':$1')) === 'open') continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      op.security = [{ bearer: [] }];
      op.responses = Object.fromEntries(Object.entries({ ...op.responses, 401: UNAUTHORIZED }).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
}

/** `/metrics` is served by the Prometheus module, outside the controllers the document is built from. */
const METRICS_PATH = {
  get: {
    tags: ['observability'],
    summary: 'Prometheus metrics: cycle outcomes, cancels counted by the API, queue depths per queue and state, process defaults',
    description: 'Open like health (no token). Workers serve the phase metrics on their own health port.',
    responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' as const } } } } },
  },
};

/** The OpenAPI document of the running application: routes from the controllers, bodies from the contract. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder().setTitle('ktrdr research agent API').setDescription(DESCRIPTION).setVersion('1').addBearerAuth().build();
  const doc = SwaggerModule.createDocument(app, config);
  doc.components = { ...doc.components, schemas: { ...(doc.components?.schemas ?? {}), ...contractComponents() } };
  doc.paths = { ...doc.paths, '/metrics': METRICS_PATH };
  documentAccess(doc);
  return doc;
}

/** Serves the UI at /api/docs and the document at /api/docs/openapi.json and /api/docs/openapi.yaml. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, yamlDocumentUrl: OPENAPI_YAML_PATH });
}
