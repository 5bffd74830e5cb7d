// The environment variables reference, from the zod schema that validates them at start-up (src/config/env.ts).
import { z } from 'zod';
import { envSchema, KNOWN_VARIABLES } from '../../src/config/index.js';
import { code, generatedFile, range, table } from './markdown.js';

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
}

/** What a value looks like, from its JSON Schema: an enum, a range, a size, or its type. */
function accepted(name: string, schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => code(String(value))).join(', ');
  if (schema.type === 'integer') return `integer${range(schema)}`;
  if (schema.format === 'uri') return 'http(s) URL';
  if (name.endsWith('_ADDRESS')) return '0x address';
  if (schema.pattern === '^\\d+(b|kb|mb)$') return 'size (`16kb`, `200mb`)';
  return 'string';
}

/** Variables read besides the service's own settings (the CLI and the deploy script): known, so never misspellings. */
const OTHER_READERS: Record<string, string> = {
  CUSTOS_URL: 'The `custos` CLI: where the service is (default: the local one from dev-credentials.json).',
  CUSTOS_OFFICER_KEY: "The `custos` CLI: the officer's (or a regulator's) API key.",
  CUSTOS_ADMIN_KEY: 'The `custos` CLI: the admin key for `tenants`, `api-keys` and admin commands.',
  DEPLOYER_PRIVATE_KEY: '`npm run deploy`: the account that deploys the contracts.',
};

export function renderEnvironment(): string {
  const json = z.toJSONSchema(envSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonSchema>;
  };
  const rows = Object.entries(json.properties).map(([name, schema]) => {
    if (!schema.description) throw new Error(`src/config/env.ts: ${name} has no .describe()`);
    return [
      code(name),
      schema.default === undefined ? '' : code(String(schema.default)),
      accepted(name, schema),
      schema.description,
    ];
  });
  const others = [...KNOWN_VARIABLES].filter((name) => !(name in json.properties));
  for (const name of others) if (!OTHER_READERS[name]) throw new Error(`describe ${name} in OTHER_READERS`);
  return generatedFile('Environment variables', 'the zod schema in src/config/env.ts', [
    'Every variable the service reads, validated once at start-up: an invalid value, a missing companion or a misspelled name (`DATABSE_URL`: "did you mean DATABASE_URL?") stops it with one line naming the variable. An empty variable counts as unset. Which combinations start-up refuses, and why: [production deployment](../how-to/production-deployment.md#what-start-up-refuses-and-why).',
    table(['variable', 'default', 'accepts', 'meaning'], rows),
    '## Read by the CLI and the deploy script',
    table(
      ['variable', 'meaning'],
      others.map((name) => [code(name), OTHER_READERS[name]]),
    ),
  ]);
}
