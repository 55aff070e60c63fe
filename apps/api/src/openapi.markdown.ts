import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Renders the OpenAPI document as the repository's API reference (docs/API.md), so the reference is
 * generated from the same contract the API validates with. Hand-rolled because it is ~60 lines over
 * a known document shape; a general OpenAPI→Markdown generator would be a dependency for one page.
 */

type Json = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const refName = (s: unknown): string | null => {
  const ref = (s as Json | undefined)?.['$ref'];
  return typeof ref === 'string' ? ref.split('/').pop()! : null;
};
const cell = (text: unknown): string =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

function typeOf(schema: Json | undefined): string {
  if (!schema) return 'any';
  const ref = refName(schema);
  if (ref) return `[${ref}](#${ref.toLowerCase()})`;
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
  if (schema['type'] === 'array') return `${typeOf(schema['items'] as Json)}[]`;
  // A nullable named schema: OpenAPI 3.0 wraps the $ref in a one-element allOf to carry `nullable`.
  const allOf = schema['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1) return `${typeOf(allOf[0] as Json)}${schema['nullable'] ? ' \\| null' : ''}`;
  if (Array.isArray(schema['anyOf'] ?? schema['oneOf'])) return ((schema['anyOf'] ?? schema['oneOf']) as Json[]).map(typeOf).join(' \\| ');
  if (schema['type'] === 'object' && schema['additionalProperties'] && !schema['properties']) return 'object (map)';
  const t = typeof schema['type'] === 'string' ? schema['type'] : 'any';
  return schema['nullable'] ? `${t} \\| null` : t;
}

export function renderApiMarkdown(doc: OpenAPIObject): string {
  const out: string[] = [
    '# ktrdr API reference',
    '',
    '<!-- Generated from the OpenAPI document by apps/api/src/openapi.document.spec.ts (KTRDR_WRITE_DOCS=1); do not edit by hand. -->',
    '',
    doc.info.description ?? '',
    '',
    'The running API serves this document at `/api/docs/openapi.json` and `/api/docs/openapi.yaml`, with a browsable UI at `/api/docs`.',
    '',
    '## Routes',
  ];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Json)[method] as Json | undefined;
      if (!op) continue;
      out.push('', `### ${method.toUpperCase()} ${path}`, '', cell(op['summary']));
      if (op['description']) out.push('', String(op['description']));
      const params = (op['parameters'] as Json[] | undefined) ?? [];
      if (params.length) {
        out.push('', '| parameter | in | required | type / values |', '|---|---|---|---|');
        for (const p of params)
          out.push(
            `| \`${cell(p['name'])}\` | ${cell(p['in'])} | ${p['required'] ? 'yes' : 'no'} | ${typeOf(p['schema'] as Json)} ${cell(p['description'] ?? '')} |`,
          );
      }
      const body = (op['requestBody'] as Json | undefined)?.['content'] as Record<string, Json> | undefined;
      if (body) {
        const required = (op['requestBody'] as Json)['required'] ? 'required' : 'optional';
        out.push(
          '',
          `Body (${required}): ${Object.values(body)
            .map((c) => typeOf(c['schema'] as Json))
            .join(', ')}`,
        );
      }
      out.push('', '| status | body | meaning |', '|---|---|---|');
      for (const [status, res] of Object.entries((op['responses'] as Record<string, Json>) ?? {})) {
        const content = Object.entries((res['content'] as Record<string, Json>) ?? {});
        const bodyText = content.map(([type, c]) => `${typeOf(c['schema'] as Json)}${type === 'application/json' ? '' : ` (${type})`}`).join(', ');
        out.push(`| ${status} | ${bodyText || '-'} | ${cell(res['description'])} |`);
      }
    }
  }
  out.push('', '## Schemas');
  for (const [name, schema] of Object.entries((doc.components?.schemas ?? {}) as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b))) {
    out.push('', `### ${name}`, '');
    if (schema['description']) out.push(String(schema['description']), '');
    const props = schema['properties'] as Record<string, Json> | undefined;
    if (!props) {
      out.push(`${typeOf(schema)}${schema['oneOf'] || schema['anyOf'] ? '' : ''}`);
      continue;
    }
    const required = new Set((schema['required'] as string[] | undefined) ?? []);
    out.push('| field | type | required | notes |', '|---|---|---|---|');
    for (const [field, p] of Object.entries(props))
      out.push(`| \`${field}\` | ${typeOf(p)} | ${required.has(field) ? 'yes' : 'no'} | ${cell(p['description'] ?? '')} |`);
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
