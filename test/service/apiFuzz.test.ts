import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERRORS, ERROR_CODES, errorsOf, operations, type ErrorCode, type Operation } from '@custos/sdk/api';
import fc from 'fast-check';
import { invalidValue, validValue, type JsonSchema } from '../helpers/jsonSchemaArbitrary.js';
import { startTestService, type TestService } from '../helpers/service.js';

interface DocumentedOperation {
  operationId: string;
  parameters?: { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}

const SAMPLES_PER_OPERATION = 24;

/** fc.assert, with the failing assertion's own message in the error the test runner prints. */
async function assertProperty<T>(
  property: fc.IAsyncProperty<T>,
  parameters: fc.Parameters<T>,
): Promise<void> {
  try {
    await fc.assert(property, parameters);
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    throw new Error(`${(error as Error).message.split('\n')[0]}: ${cause?.message ?? error}`);
  }
}

/**
 * A standing fuzz test: every operation of /openapi.json, driven with generated requests (valid and invalid
 * parameters, queries and bodies) with each role's key and none. Whatever the request, the answer is never a 5xx,
 * every error has the documented shape and one of the operation's documented codes, and every 200 matches its
 * response schema. Fixed seed, bounded count.
 */
describe('API fuzz: every documented operation, every role, generated requests', () => {
  let t: TestService;
  let keys: Record<string, string | undefined>;
  let document: {
    paths: Record<string, Record<string, DocumentedOperation>>;
    components: { schemas: Record<string, JsonSchema> };
  };

  before(async () => {
    t = await startTestService({
      AUTH_FAILURES_PER_MINUTE: '1000000',
      KYC_WEBHOOK_SECRET: 'whsec_fuzz_0123456789abcdef0123456789abcdef',
    });
    keys = {
      none: undefined,
      dapp: await t.key('dapp'),
      officer: await t.key('officer'),
      regulator: await t.key('regulator'),
      admin: await t.key('admin'),
      executor: await t.key('executor'),
    };
    document = (await t.request('GET', '/openapi.json')).body;
  });
  after(async () => {
    await t?.stop();
  });

  const resolve = (ref: string) => document.components.schemas[ref.replace('#/components/schemas/', '')]!;

  for (const [id, op] of Object.entries(operations) as [string, Operation][]) {
    it(`${op.method.toUpperCase()} ${op.path}`, async () => {
      const openApiPath = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const documented = document.paths[openApiPath]![op.method]!;
      const parameters = documented.parameters ?? [];
      const bodySchema = documented.requestBody?.content['application/json']?.schema;
      const part = (where: 'path' | 'query') =>
        fc.record(
          Object.fromEntries(
            parameters
              .filter((p) => p.in === where)
              .map((p) => [p.name, fc.oneof(validValue(p.schema, resolve), invalidValue(p.schema, resolve))]),
          ),
          { requiredKeys: parameters.filter((p) => p.in === where && p.required).map((p) => p.name) },
        );
      const request = fc.record({
        key: fc.constantFrom(...Object.keys(keys)),
        path: part('path'),
        query: part('query'),
        body: bodySchema
          ? fc.oneof(validValue(bodySchema, resolve), invalidValue(bodySchema, resolve))
          : fc.constant(undefined),
      });
      const allowed = new Set<ErrorCode>(errorsOf(op));
      const seed = [...id].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7) % 2 ** 31;
      await assertProperty(
        fc.asyncProperty(request, async ({ key, path, query, body }) => {
          const route = op.path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
            // Dots encoded too (fetch would resolve `.` or `..` into another route), and never an empty segment
            // (`/v1/audit/events/` is the list, not an event). A lone surrogate cannot be sent: it goes as U+FFFD.
            encodeURIComponent(
              String((path as Record<string, unknown>)[name] ?? 'x').toWellFormed() || ' ',
            ).replaceAll('.', '%2E'),
          );
          const search = new URLSearchParams(
            Object.entries(query as Record<string, unknown>).map(([k, v]) => [
              k,
              typeof v === 'string' ? v : JSON.stringify(v),
            ]),
          );
          const url = `${route}${search.size ? `?${search}` : ''}`;
          const response = await fetch(`${t.service.url}${url}`, {
            method: op.method.toUpperCase(),
            headers: {
              ...(keys[key] ? { authorization: `Bearer ${keys[key]}` } : {}),
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const what = `${op.method.toUpperCase()} ${url} (path ${JSON.stringify(path)}) as ${key} with ${JSON.stringify(body)?.slice(0, 300)}`;
          const type = response.headers.get('content-type') ?? '';
          if (response.status < 500 && !type.startsWith('application/json')) {
            await response.body?.cancel();
            return;
          }
          const text = await response.text();
          assert.ok(response.status < 500, `${response.status} for ${what}: ${text.slice(0, 300)}`);
          const answer = JSON.parse(text) as { error?: { code: ErrorCode; message: string } };
          if (response.status >= 400) {
            assert.ok(answer.error && ERROR_CODES.includes(answer.error.code), `no error shape for ${what}`);
            assert.equal(
              ERRORS[answer.error.code][0],
              response.status,
              `${answer.error.code} at ${response.status}`,
            );
            assert.ok(
              allowed.has(answer.error.code),
              `${answer.error.code} is not documented for ${id} (${what})`,
            );
            assert.equal(typeof answer.error.message, 'string');
          } else if (response.status === 200 && op.response.schema) {
            const parsed = op.response.schema.safeParse(answer);
            assert.ok(
              parsed.success,
              `${id}'s 200 for ${what} does not match its schema: ${text.slice(0, 200)}`,
            );
          }
        }),
        { seed, numRuns: SAMPLES_PER_OPERATION, endOnFailure: true },
      );
    });
  }
});
