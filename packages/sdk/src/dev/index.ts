// @custos/sdk/dev (Node): where a dApp in development finds Custos, its keys and its chain. `npm start` on embedded
// defaults writes them to .custos/dev-credentials.json; the environment overrides each, or replaces the file.
/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CustosClient } from '../client.js';

/** `.custos/dev-credentials.json` as `npm start` writes it (DESIGN.md). */
export interface DevCredentials {
  url: string;
  /** A dApp key (role dapp): attest, credentials. */
  apiKey: string;
  /** An officer key: KYC decisions, revocations (development only: a dApp never holds one). */
  officerKey: string;
  regulatorKey: string;
  adminKey: string;
  /** Claims and reports the dev tenant's agent executions. */
  executorKey: string;
  rpcUrl: string;
  chainId: number;
  contracts: {
    ComplianceGatekeeper: string;
    RevocationRegistry: string;
    CompliantToken: string;
    AgentRegistry: string;
    AuditAnchor?: string;
    CredentialVerifier?: string;
  };
}

/** The values the environment can set instead of the file, and their variables. */
const OVERRIDES = {
  url: 'CUSTOS_URL',
  apiKey: 'CUSTOS_API_KEY',
  officerKey: 'CUSTOS_OFFICER_KEY',
  rpcUrl: 'CUSTOS_RPC_URL',
  chainId: 'CUSTOS_CHAIN_ID',
  ComplianceGatekeeper: 'CUSTOS_GATEKEEPER',
  CompliantToken: 'CUSTOS_TOKEN',
} as const;

/**
 * `$CUSTOS_DATA_DIR/dev-credentials.json` when CUSTOS_DATA_DIR is set, else the nearest
 * `.custos/dev-credentials.json` in `cwd` or a folder above it (an example inside the repository finds the one
 * `npm start` wrote at its root).
 */
export function devCredentialsFile(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): string | undefined {
  if (env.CUSTOS_DATA_DIR) return path.resolve(cwd, env.CUSTOS_DATA_DIR, 'dev-credentials.json');
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, '.custos', 'dev-credentials.json');
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The development credentials: the file (see devCredentialsFile) with CUSTOS_URL, CUSTOS_API_KEY,
 * CUSTOS_OFFICER_KEY, CUSTOS_RPC_URL, CUSTOS_CHAIN_ID, CUSTOS_GATEKEEPER and CUSTOS_TOKEN taking precedence. Without a
 * file, those variables must all be set; the keys and contracts they do not cover are then empty strings.
 */
export function devCredentials(
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): DevCredentials {
  const env = options.env ?? process.env;
  const file = devCredentialsFile(env, options.cwd);
  const found = file && existsSync(file);
  if (!found) {
    const missing = Object.values(OVERRIDES).filter((name) => !env[name]);
    if (missing.length) {
      throw new Error(
        `no ${file ?? '.custos/dev-credentials.json'}: start Custos with \`npm start\` in its repository, or set ${missing.join(', ')}`,
      );
    }
  }
  const stored: DevCredentials = found
    ? (JSON.parse(readFileSync(file, 'utf8')) as DevCredentials)
    : {
        url: '',
        apiKey: '',
        officerKey: '',
        regulatorKey: '',
        adminKey: '',
        executorKey: '',
        rpcUrl: '',
        chainId: 0,
        contracts: {
          ComplianceGatekeeper: '',
          RevocationRegistry: '',
          CompliantToken: '',
          AgentRegistry: '',
        },
      };
  const set = (name: keyof typeof OVERRIDES) => env[OVERRIDES[name]] || undefined;
  return {
    ...stored,
    url: set('url') ?? stored.url,
    apiKey: set('apiKey') ?? stored.apiKey,
    officerKey: set('officerKey') ?? stored.officerKey,
    rpcUrl: set('rpcUrl') ?? stored.rpcUrl,
    chainId: Number(set('chainId') ?? stored.chainId),
    contracts: {
      ...stored.contracts,
      ComplianceGatekeeper: set('ComplianceGatekeeper') ?? stored.contracts.ComplianceGatekeeper,
      CompliantToken: set('CompliantToken') ?? stored.contracts.CompliantToken,
    },
  };
}

/**
 * Development only: records an approved KYC decision for `subject` with the development officer key, as a KYC
 * provider's webhook does in production, so that `attest` and `requestCredential` pass screening for it.
 */
export async function devApproveKyc(subject: string, credentials = devCredentials()): Promise<void> {
  const officer = new CustosClient({ url: credentials.url, apiKey: credentials.officerKey });
  await officer.call('setKyc', {
    params: { subject },
    body: { status: 'approved', country: 'DE', birthDate: '1990-04-01', riskScore: 12, provider: 'dev' },
  });
}
