import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as contract from '@custos/sdk/api';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Router } from 'express';
import { pino } from 'pino';
import { z } from 'zod';
import { createApp, createMetrics, createOpenApiDocument, openApiPath } from '../../src/api/index.js';
import type { ApiContext } from '../../src/api/index.js';
import { TenantsAndKeys } from '../../src/admin/index.js';
import { Approvals } from '../../src/approvals/index.js';
import { loadEnv } from '../../src/config/index.js';
import type { Database } from '../../src/db/index.js';
import { loadPolicies } from '../../src/screening/index.js';

/** The express routes the app registers, as `METHOD /openapi/{path}`. */
function registeredRoutes(): Set<string> {
  // Registration reads only configuration, policies and the contract addresses: handlers never run here.
  const ctx = {
    env: loadEnv({}),
    logger: pino({ level: 'silent' }),
    policies: loadPolicies(),
    chainId: 31337,
    contracts: {
      ComplianceGatekeeper: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      RevocationRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    },
    metrics: createMetrics(),
    approvals: new Approvals({} as Database, new Set(), 60),
    tenantsAndKeys: new TenantsAndKeys({} as Database),
  } as unknown as ApiContext;
  const app = createApp(ctx) as unknown as { router: Router };
  const routes = new Set<string>();
  const walk = (stack: Router['stack']) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys((layer.route as unknown as { methods: object }).methods)) {
          routes.add(`${method.toUpperCase()} ${openApiPath(layer.route.path as string)}`);
        }
      } else if ((layer.handle as unknown as { stack?: Router['stack'] }).stack) {
        walk((layer.handle as unknown as { stack: Router['stack'] }).stack);
      }
    }
  };
  walk(app.router.stack);
  return routes;
}

describe('the OpenAPI document', () => {
  const document = createOpenApiDocument();

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(document)));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
  });

  it('documents exactly the routes the service serves: none without an operation, none missing', () => {
    const documented = new Set(
      Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
        Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const served = registeredRoutes();
    assert.deepEqual([...served].filter((r) => !documented.has(r)).sort(), [], 'served without an operation');
    assert.deepEqual([...documented].filter((r) => !served.has(r)).sort(), [], 'documented but not served');
  });

  it('gives every 200 a schema or a content type, and every operation its error codes', () => {
    for (const [id, op] of Object.entries(contract.operations) as [string, contract.Operation][]) {
      assert.ok(op.response.schema || op.response.contentType, `${id} has no response shape`);
      const documented = (document.paths![openApiPath(op.path)] as Record<string, { responses: object }>)[
        op.method
      ]!;
      for (const code of contract.errorsOf(op)) {
        assert.ok(
          String(contract.ERRORS[code][0]) in documented.responses,
          `${id}: ${code} is not documented`,
        );
      }
    }
  });

  it('every documented example validates against the schema it documents', () => {
    let checked = 0;
    for (const [name, value] of Object.entries(contract)) {
      if (!(value instanceof z.ZodType)) continue;
      const example = (value.meta() as { example?: unknown } | undefined)?.example;
      if (example === undefined) continue;
      const parsed = value.safeParse(example);
      assert.equal(parsed.success, true, `${name}: ${JSON.stringify(parsed.error?.issues)}`);
      checked += 1;
    }
    assert.ok(checked >= 5, `only ${checked} examples found`);
  });

  it('names every error code the service can answer with', () => {
    assert.deepEqual(
      Object.keys(contract.ERRORS).sort(),
      [...new Set(contract.ERROR_CODES)].sort(),
      'the error table and its code list agree',
    );
  });
});
