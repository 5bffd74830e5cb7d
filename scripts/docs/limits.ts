// The limits table: every size, rate, page and queue bound a request meets, read from where each is defined (the
// config schema's defaults, the operations table of the API contract, the routes' constants).
import { z } from 'zod';
import { operations, type Operation } from '@custos/sdk/api';
import { JSON_LIST_LIMIT, SANCTIONS_LOADS } from '../../src/api/routes/sanctions.js';
import { envSchema } from '../../src/config/index.js';
import { cell, code, generatedFile, table } from './markdown.js';

interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  default?: unknown;
  maximum?: number;
  minimum?: number;
  maxItems?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** The JSON Schema of what a caller sends; a named schema's root is its definition, kept with the `$defs`. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const root = json.$ref ? json.$defs![json.$ref.replace(/^#\/\$defs\//, '')]! : json;
  return { ...root, $defs: json.$defs };
}
const env = inputSchema(envSchema).properties!;
const setting = (name: keyof typeof envSchema.shape) => {
  const value = env[name]!.default;
  return `${typeof value === 'number' ? value.toLocaleString('en') : String(value)} (${code(name)})`;
};
const all = Object.entries(operations) as [string, Operation][];
const route = (op: Operation) => code(`${op.method.toUpperCase()} ${op.path}`);
const routes = (ids: (keyof typeof operations)[]) => ids.map((id) => route(operations[id])).join(', ');

/** Every array and string bound in a body, with the field's path (`targets`, `reason`). */
function bodyBounds(
  schema: JsonSchema,
  defs: Record<string, JsonSchema>,
  at: string,
  seen = new Set<string>(),
) {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    if (seen.has(name)) return [];
    return bodyBounds(defs[name]!, defs, at, new Set([...seen, name]));
  }
  const found: [string, string][] = [];
  if (schema.maxItems !== undefined) found.push([at, `${schema.maxItems.toLocaleString('en')} items`]);
  if (schema.maxLength !== undefined) found.push([at, `${schema.maxLength.toLocaleString('en')} characters`]);
  for (const [name, property] of Object.entries(schema.properties ?? {}))
    found.push(...bodyBounds(property, defs, at ? `${at}.${name}` : name, seen));
  if (schema.items) found.push(...bodyBounds(schema.items, defs, `${at}[]`, seen));
  for (const variant of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])])
    found.push(...bodyBounds(variant, defs, at, seen));
  return found;
}

export function renderLimits(): string {
  const largerBodies = all.filter(([, op]) => op.bodyLimit);
  const bodies = table(
    ['what', 'limit', 'beyond it'],
    [
      ['a JSON body, every route unless named below', setting('BODY_LIMIT'), '413 `PAYLOAD_TOO_LARGE`'],
      ...largerBodies.map(([, op]) => [`${route(op)} (JSON)`, op.bodyLimit, '413 `PAYLOAD_TOO_LARGE`']),
      [
        `${route(operations.loadSanctions)} as JSON \`{ name, format?, content }\``,
        JSON_LIST_LIMIT,
        '413 `PAYLOAD_TOO_LARGE`',
      ],
      [
        `${route(operations.loadSanctions)} as the file itself (\`text/csv\`, \`application/xml\`, \`text/plain\`), streamed to disk`,
        setting('SANCTIONS_BODY_LIMIT'),
        '413 `PAYLOAD_TOO_LARGE` (at once when Content-Length says so)',
      ],
    ],
  );
  const keyRate = inputSchema(operations.createApiKey.body!).properties!.rateLimitPerMinute!;
  const rates = table(
    ['who', 'limit per minute', 'beyond it'],
    [
      [
        `each API key (every replica shares its bucket); set per key with \`rateLimitPerMinute\` (${keyRate.minimum}–${keyRate.maximum!.toLocaleString('en')}) when it is created`,
        setting('RATE_LIMIT_PER_MINUTE'),
        '429 `RATE_LIMITED` with Retry-After',
      ],
      [
        `each client address on the public holder endpoints: ${routes(['issuancePath', 'revocationPath', 'zkParameters', 'circuitWasm', 'circuitZkey', 'circuitVerificationKey'])}`,
        setting('RATE_LIMIT_PER_MINUTE'),
        '429 `RATE_LIMITED`',
      ],
      [
        `each client address on ${route(operations.kycWebhook)}, counted before any signature is checked`,
        setting('KYC_WEBHOOK_RATE_LIMIT_PER_MINUTE'),
        '429 `RATE_LIMITED`',
      ],
      [
        'failed authentications from one client address (any route); counted per replica',
        setting('AUTH_FAILURES_PER_MINUTE'),
        'every request from the address is 429 `RATE_LIMITED` until it recovers',
      ],
    ],
  );
  const webhook = table(
    ['what', 'limit'],
    [
      [
        "age of a delivery's signed `X-Custos-Timestamp`",
        `${setting('KYC_WEBHOOK_TOLERANCE_SECONDS')} seconds; older: 401`,
      ],
      [
        "how far ahead of the server's clock it may be",
        `${setting('KYC_WEBHOOK_MAX_FUTURE_SECONDS')} seconds; further: 401`,
      ],
      [
        'the same delivery again (timestamp and body)',
        'remembered for the tolerance plus the skew: 409 `WEBHOOK_REPLAYED`',
      ],
      [
        'refusals written to the audit log',
        `one aggregated \`kyc.webhook_refusals\` event per ${setting('KYC_WEBHOOK_REFUSALS_AUDIT_SECONDS')} seconds and process`,
      ],
    ],
  );
  const pages = table(
    ['operation', 'default page', 'largest page'],
    all
      .filter(([, op]) => op.query && 'limit' in (op.query as z.ZodObject).shape)
      .map(([, op]) => {
        const limit = inputSchema(op.query!).properties!.limit!;
        return [route(op), limit.default, limit.maximum?.toLocaleString('en')];
      }),
  );
  const bounds = all.flatMap(([, op]) => {
    if (!op.body) return [];
    const schema = inputSchema(op.body);
    return bodyBounds(schema, schema.$defs ?? {}, '').map(([field, bound]) => [
      route(op),
      code(field || 'body'),
      bound,
    ]);
  });
  const queues = table(
    ['what', 'limit', 'beyond it'],
    [
      [
        'sanctions list loads under way, per process',
        `${SANCTIONS_LOADS.active} at a time, ${SANCTIONS_LOADS.queued} waiting`,
        '503 `BUSY`',
      ],
      [
        'custodial groth16 proofs (`POST /v1/attest` with `format: "groth16"`)',
        `${setting('ZK_PROVER_WORKERS')} provers, ${setting('ZK_PROVER_QUEUE')} waiting`,
        '503 `PROVER_BUSY`',
      ],
      [
        'one custodial proof',
        `${setting('ZK_PROVER_TIMEOUT_SECONDS')} seconds`,
        '503 `PROVER_BUSY`, the prover restarted',
      ],
    ],
  );
  return generatedFile(
    'Limits',
    "the config schema (src/config/env.ts), the operations table (packages/sdk/src/api/operations.ts) and the routes' constants",
    [
      'Every bound a request meets, with its default; the settings named are environment variables ([reference](environment.md)). Rates are token buckets in PostgreSQL, shared by every replica (while PostgreSQL is unreachable each replica limits on its own). Bodies are read only after the caller is authenticated.',
      '## Body sizes',
      bodies,
      '## Rates',
      rates,
      '## Webhook deliveries (per source)',
      webhook,
      '## Pages',
      pages,
      '## Lists and text in bodies',
      table(
        ['operation', 'field', 'at most'],
        bounds.map((row) => row.map((value) => cell(value))),
      ),
      '## Queues',
      queues,
    ],
  );
}
