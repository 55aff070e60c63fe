import { z } from 'zod';

/** Metadata a contract schema carries into the OpenAPI document. */
export interface ContractMeta {
  /** Component name in `#/components/schemas`. */
  id: string;
  description?: string;
}

/**
 * Every named wire schema registers here once: the API turns the registry into the OpenAPI
 * document's `components.schemas` (nested named schemas become `$ref`s), so the document and the
 * validators cannot drift. Responses are described as the server writes them (`io: output`),
 * requests as the client sends them (`io: input`), hence two registries.
 */
export const responseSchemas = z.registry<ContractMeta>();
export const requestSchemas = z.registry<ContractMeta>();

export function response<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  responseSchemas.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

export function request<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  requestSchemas.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

/**
 * A field the server always writes (null until set). Readers accept a missing field as null, so a
 * client keeps working against a server from before the field existed.
 */
export const nullable = <S extends z.ZodType>(schema: S) => schema.nullable().default(null);
