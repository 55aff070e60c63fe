import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';

/**
 * Route decorators that point the OpenAPI document at the contract's schemas by name
 * (`#/components/schemas/<id>`; the components come from @ktrdr/api-contract's registries, see
 * openapi.document.ts), so no route describes a body by hand.
 */
export const schemaRef = (id: string) => ({ $ref: `#/components/schemas/${id}` });

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'Malformed JSON, an unreadable body, or a request target that is not valid percent-encoding',
  401: 'Missing or wrong bearer token (KTRDR_API_TOKEN)',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body larger than KTRDR_BODY_LIMIT',
  422: 'Invalid input; `error.details.errors` names each bad field',
  429: 'Refused: the daily LLM budget is spent',
  503: 'Redis cannot serve the request (unreachable, out of memory, read-only, loading): `error.message` names the cause',
};

/** The success body of a route. */
export function ApiSuccess(status: number, schemaId: string, description = 'Success'): MethodDecorator {
  return ApiResponse({ status, description, schema: schemaRef(schemaId) });
}

/** Error answers with the one envelope. Every JSON route can also answer 503 when Redis is down. */
export function ApiErrors(...statuses: number[]): MethodDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_TEXT[status] ?? 'Error', schema: schemaRef('ErrorEnvelope') })));
}

/** A documented agent refusal: its own top-level fields plus `error`. */
export function ApiRefusal(status: number, schemaId: string, description: string): MethodDecorator {
  return ApiResponse({ status, description, schema: schemaRef(schemaId) });
}

/** A JSON request body described by a contract request schema. */
export function ApiJsonBody(schemaId: string, required: boolean): MethodDecorator {
  return ApiBody({ required, schema: schemaRef(schemaId) });
}
