// The HTTP API reference, from the OpenAPI document the service serves at /openapi.json (itself generated from the
// zod schemas of the API contract in packages/sdk/src/api).
import { createOpenApiDocument } from '../../src/api/openapi.js';
import { code, generatedFile, range, table } from './markdown.js';

interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  maxLength?: number;
}
interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  description?: string;
  schema: Schema;
}
interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: unknown[];
  'x-custos-roles'?: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: Schema }> }>;
}

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

export function renderApi(): string {
  const document = createOpenApiDocument() as unknown as {
    paths: Record<string, Record<string, OperationObject>>;
    components: { schemas: Record<string, Schema> };
  };
  const schemas = document.components.schemas;
  const resolve = (schema: Schema): Schema =>
    schema.$ref ? resolve(schemas[refName(schema.$ref)]!) : schema;

  /** A short type: a named schema, an enum, a union, an array of something, a range. */
  const typeOf = (schema: Schema): string => {
    if (schema.$ref) {
      const target = resolve(schema);
      return target.enum && target.enum.length <= 6 ? typeOf(target) : refName(schema.$ref);
    }
    if (schema.const !== undefined) return code(JSON.stringify(schema.const));
    if (schema.enum) {
      return schema.enum.length <= 6
        ? schema.enum.map((value) => code(String(value))).join(', ')
        : `one of ${schema.enum.length} values`;
    }
    const union = schema.anyOf ?? schema.oneOf;
    if (union) return union.map(typeOf).join(' or ');
    if (schema.type === 'array') {
      return `array of ${schema.items ? typeOf(schema.items) : 'any'}${schema.maxItems ? ` (≤ ${schema.maxItems.toLocaleString('en')})` : ''}`;
    }
    return `${[schema.type ?? 'any'].flat().join(' or ')}${range(schema)}`;
  };

  const fields = (schema: Schema): string => {
    const target = resolve(schema);
    const variants = target.anyOf ?? target.oneOf;
    if (variants && variants.every((variant) => resolve(variant).properties)) {
      return variants
        .map(
          (variant, i) =>
            `${variant.$ref ? code(refName(variant.$ref)) : `Variant ${i + 1}`}:\n\n${fields(variant)}`,
        )
        .join('\n\n');
    }
    if (!target.properties) return `${typeOf(schema)}${target.description ? `: ${target.description}` : ''}`;
    return table(
      ['field', 'type', 'required', 'description'],
      Object.entries(target.properties).map(([name, property]) => [
        code(name),
        typeOf(property),
        target.required?.includes(name) ? 'yes' : '',
        [
          property.description ?? resolve(property).description,
          property.default !== undefined ? `default ${code(JSON.stringify(property.default))}` : '',
        ]
          .filter(Boolean)
          .join('; '),
      ]),
    );
  };

  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
  const tags = [...new Set(operations.map(({ op }) => op.tags[0]!))];
  const sections = tags.flatMap((tag) => [
    `## ${tag}`,
    ...operations
      .filter(({ op }) => op.tags[0] === tag)
      .map(({ path, method, op }) => {
        const who = op['x-custos-roles']?.join(', ') ?? (op.security ? 'a webhook signature' : 'public');
        const parts = [
          `### \`${method.toUpperCase()} ${path}\``,
          `${op.summary} (\`${op.operationId}\`). Who: ${who}.${op.description ? `\n\n${op.description}` : ''}`,
        ];
        if (op.parameters?.length) {
          parts.push(
            table(
              ['parameter', 'in', 'type', 'required', 'description'],
              op.parameters.map((p) => [
                code(p.name),
                p.in,
                typeOf(p.schema),
                p.required ? 'yes' : '',
                [
                  p.description ?? p.schema.description,
                  p.schema.default !== undefined ? `default ${code(JSON.stringify(p.schema.default))}` : '',
                ]
                  .filter(Boolean)
                  .join('; '),
              ]),
            ),
          );
        }
        for (const [type, { schema }] of Object.entries(op.requestBody?.content ?? {})) {
          parts.push(`Body (\`${type}\`):${schema ? `\n\n${fields(schema)}` : ' the raw file'}`);
        }
        const responses = Object.entries(op.responses).map(([status, response]) => {
          const schema = response.content?.['application/json']?.schema;
          const shape = status.startsWith('2') && schema ? ` (${typeOf(schema)})` : '';
          return [code(status), `${response.description}${shape}`];
        });
        parts.push(table(['status', 'answer'], responses));
        return parts.join('\n\n');
      }),
  ]);
  return generatedFile(
    'HTTP API reference',
    'the OpenAPI document (`GET /openapi.json`, src/api/openapi.ts, built from the zod schemas in packages/sdk/src/api)',
    [
      'Every operation the service serves. The machine-readable document with every schema is `GET /openapi.json` (OpenAPI 3.1); `GET /docs` renders it. Errors always have the shape `{ "error": { "code", "message", "details"? }, "requestId" }`; the conventions every route shares (status codes, retries and Idempotency-Key, tenants, API keys, input grammar) are in [API conventions](api-conventions.md), and every size, rate and page limit in [limits](limits.md).',
      ...sections,
    ],
  );
}
