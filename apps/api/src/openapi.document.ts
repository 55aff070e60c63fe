import { requestSchemas, responseSchemas } from '@ktrdr/api-contract';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';

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

/** The OpenAPI document of the running application: routes from the controllers, bodies from the contract. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder().setTitle('ktrdr research agent API').setDescription(DESCRIPTION).setVersion('1').addBearerAuth().build();
  const doc = SwaggerModule.createDocument(app, config);
  doc.components = { ...doc.components, schemas: { ...(doc.components?.schemas ?? {}), ...contractComponents() } };
  return doc;
}

/** Serves the UI at /api/docs and the document at /api/docs/openapi.json and /api/docs/openapi.yaml. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, yamlDocumentUrl: OPENAPI_YAML_PATH });
}
