import { availableParallelism } from 'node:os';
import { getAddress, isAddress } from 'ethers';
import { z } from 'zod';
import { FOUR_EYES_ACTIONS, kmsKeyId, type FourEyesAction } from '@custos/sdk/api';
import { findMisspelling } from './misspellings.js';

const address = z
  .string()
  .refine((value) => isAddress(value) && getAddress(value) !== '0x0000000000000000000000000000000000000000', {
    message: 'must be a non-zero 0x address',
  })
  .transform((value) => getAddress(value));
const optionalString = z.string().min(1).optional();
const size = z.string().regex(/^\d+(b|kb|mb)$/, { message: 'must look like 16kb or 200mb' });
/** A switch that is off unless set to exactly `true`. */
const flag = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true');
const integer = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` });

/**
 * Every environment variable Custos reads. Unset DATABASE_URL and RPC_URL mean the embedded development defaults
 * (embedded PostgreSQL, a local anvil chain); there are no secret defaults for production settings. Embedded parts
 * are a development mode, never a fallback: a configured chain needs a configured database, a configured database
 * needs a configured chain (unless ALLOW_EMBEDDED_CHAIN), and a configured chain refuses the local signer (unless
 * ALLOW_LOCAL_SIGNER).
 */
export const envSchema = z
  .object({
    PORT: integer(0, 65_535).default(8080).describe('Where the API listens (0: a free port).'),
    WORKERS: z
      .union([z.literal('auto'), integer(1, 64)], { message: 'must be auto or a whole number from 1 to 64' })
      .optional()
      .describe(
        'Server processes sharing PORT (node:cluster) and the database: a number, or `auto` for one per core. Unset: `auto` on embedded defaults, 1 with DATABASE_URL set. Each worker has its own DATABASE_POOL_SIZE connections.',
      ),
    HOST: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('The interface the API listens on (`0.0.0.0` in the image).'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level.'),
    CUSTOS_DATA_DIR: z
      .string()
      .min(1)
      .default('.custos')
      .describe(
        'Embedded data (PostgreSQL, chain state, keystore, dev-credentials.json; `/var/lib/custos` in the image). Nothing is written there with a configured database and chain and a KMS or HSM signer.',
      ),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
      .optional()
      .describe(
        'PostgreSQL (add `?sslmode=verify-full` over a network). Unset: an embedded PostgreSQL under CUSTOS_DATA_DIR (development only).',
      ),
    DATABASE_POOL_SIZE: integer(1, 200)
      .default(10)
      .describe(
        "Connections per process (plus one for cluster notifications); keep it times the replicas under the server's max_connections.",
      ),
    RPC_URL: z
      .string()
      .url({ message: 'must be an http(s) URL' })
      .optional()
      .describe(
        "The chain's JSON-RPC endpoint. Unset: an embedded anvil with freshly deployed contracts (development only).",
      ),
    CHAIN_ID: integer(1, 2 ** 53 - 1)
      .optional()
      .describe(
        'The chain id; start-up refuses a node that serves another chain. Unset: read from the node.',
      ),
    GATEKEEPER_ADDRESS: address.optional().describe('The ComplianceGatekeeper (required with RPC_URL).'),
    REVOCATION_REGISTRY_ADDRESS: address
      .optional()
      .describe('The RevocationRegistry (required with RPC_URL).'),
    COMPLIANT_TOKEN_ADDRESS: address.optional().describe('The CompliantToken (informational).'),
    AGENT_REGISTRY_ADDRESS: address.optional().describe('The AgentRegistry (informational).'),
    OPERATOR_PRIVATE_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, { message: 'must be a 0x-prefixed 32-byte hex key' })
      .optional()
      .describe(
        "The operator account (sends revocations, roots, rotations and anchors) as a key in the environment; warns. Anvil's default keys are refused on any chain but 31337. On the embedded chain: anvil's first account.",
      ),
    OPERATOR_KMS_KEY_ID: kmsKeyId
      .optional()
      .describe(
        'The operator key in AWS KMS (uses AWS_REGION, KMS_ENDPOINT). One operator key is required with RPC_URL.',
      ),
    OPERATOR_PKCS11_KEY_LABEL: optionalString.describe(
      'The operator key in the HSM (uses PKCS11_MODULE, PKCS11_PIN).',
    ),
    SIGNER: z
      .enum(['local', 'pkcs11', 'aws-kms'])
      .optional()
      .describe('The attestation signer backend; `local` on embedded defaults, required with RPC_URL.'),
    ALLOW_LOCAL_SIGNER: flag.describe(
      'Accepts SIGNER=local (a key file on disk) with a configured chain; it then warns at every start.',
    ),
    ALLOW_EMBEDDED_CHAIN: flag.describe(
      'Accepts a configured database with the embedded throwaway chain (tests, benchmarks); it then warns.',
    ),
    LOCAL_KEYSTORE_FILE: optionalString.describe(
      'SIGNER=local: the encrypted keystore file (created on embedded defaults; must exist with RPC_URL).',
    ),
    LOCAL_KEYSTORE_PASSWORD: optionalString.describe("SIGNER=local: the keystore's password."),
    KMS_KEY_ID: kmsKeyId
      .optional()
      .describe(
        'SIGNER=aws-kms: an ECC_SECG_P256K1 key (the role needs kms:GetPublicKey, kms:Sign, kms:DescribeKey).',
      ),
    AWS_REGION: optionalString.describe(
      'The AWS region of the KMS keys (credentials come from the usual AWS chain).',
    ),
    KMS_ENDPOINT: z
      .string()
      .url({ message: 'must be an http(s) URL' })
      .optional()
      .describe("A KMS endpoint other than AWS's default (a VPC endpoint)."),
    PKCS11_MODULE: optionalString.describe(
      "SIGNER=pkcs11 (or an HSM operator key): the PKCS#11 module's path.",
    ),
    PKCS11_PIN: optionalString.describe('The HSM user PIN.'),
    PKCS11_KEY_LABEL: optionalString.describe("SIGNER=pkcs11: the secp256k1 key's label in the token."),
    PKCS11_TOKEN_LABEL: optionalString.describe('The token to use when the module has several.'),
    POLICIES_FILE: optionalString.describe(
      'Screening policies (JSON, validated at start-up). Unset: src/screening/policies.default.json.',
    ),
    KYC_WEBHOOK_SECRET: z
      .string()
      .min(32, { message: 'must be at least 32 characters' })
      .optional()
      .describe('The HMAC secret of provider webhooks (at least 32 characters). Unset: the webhook is off.'),
    KYC_WEBHOOK_TOLERANCE_SECONDS: integer(1, 3600)
      .default(300)
      .describe(
        "How old a webhook's signed timestamp may be; a delivery is remembered this long plus the skew, to refuse replays.",
      ),
    KYC_WEBHOOK_MAX_FUTURE_SECONDS: integer(0, 300)
      .default(30)
      .describe(
        "How far ahead of the server's clock a provider's signed timestamp may be; beyond it the delivery is refused.",
      ),
    KYC_WEBHOOK_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000)
      .default(600)
      .describe(
        'Webhook deliveries accepted per minute from one client address (before any signature is checked).',
      ),
    KYC_WEBHOOK_REFUSALS_AUDIT_SECONDS: integer(1, 86_400)
      .default(60)
      .describe(
        'Refused deliveries are audited as one aggregated event per this many seconds (and process).',
      ),
    RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000)
      .default(6000)
      .describe(
        'The default rate of an API key, and of each client address on public endpoints (token buckets shared by every replica).',
      ),
    AUTH_FAILURES_PER_MINUTE: integer(1, 1_000_000)
      .default(60)
      .describe(
        'Failed authentications one client address may make per minute; beyond it every request from it is 429.',
      ),
    TRUST_PROXY_HOPS: integer(0, 10)
      .default(0)
      .describe('Proxies in front of the service (per-address limits read X-Forwarded-For).'),
    REGULATOR_JWT_ISSUER: optionalString.describe(
      "Regulators sign in with their identity provider's JWTs: the issuer they must name.",
    ),
    REGULATOR_JWT_AUDIENCE: optionalString.describe('The audience regulator JWTs must name.'),
    REGULATOR_JWKS_URL: z
      .string()
      .url({ message: 'must be an http(s) URL' })
      .optional()
      .describe("The identity provider's key set (cached 10 minutes; a fetch times out after 5 s)."),
    REGULATOR_JWT_PUBLIC_KEY: z
      .string()
      .includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key (SPKI)' })
      .optional()
      .describe('Instead of REGULATOR_JWKS_URL: one PEM (SPKI) public key.'),
    REGULATOR_JWT_ALGORITHMS: z
      .string()
      .default('RS256,ES256')
      .transform((value) => value.split(',').map((a) => a.trim()))
      .refine((algs) => algs.every((a) => /^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(a)), {
        message: 'must list asymmetric algorithms only (RS256, PS256, ES256, EdDSA, ...)',
      })
      .describe('Asymmetric algorithms only: `none` and HMAC (which a public key could forge) are refused.'),
    REGULATOR_JWT_MAX_AGE_SECONDS: integer(60, 86_400).default(3600).describe('The oldest `iat` accepted.'),
    ATTEST_BATCH_WINDOW_MS: integer(0, 1000)
      .default(5)
      .describe(
        'eip712-batch: a batch closes this long after its first request, or at ATTEST_BATCH_MAX_SIZE. One batch is signed and committed at a time: under load the next one closes when the one before is done.',
      ),
    ATTEST_BATCH_MAX_SIZE: integer(1, 2048)
      .default(256)
      .describe(
        'eip712-batch: a batch closes once it holds this many attestations (its root is signed once).',
      ),
    AUDIT_ANCHOR_ADDRESS: address
      .optional()
      .describe(
        'The AuditAnchor contract (the operator needs ANCHORER_ROLE). Unset with RPC_URL: the audit log is not anchored (warned at every start).',
      ),
    AUDIT_ANCHOR_INTERVAL_SECONDS: integer(1, 86_400)
      .default(60)
      .describe('How often the anchoring job runs.'),
    AUDIT_ANCHOR_MAX_BATCH: integer(1, 4096)
      .default(1000)
      .describe("At most 4,096: an event's inclusion proof is computed from its batch's leaves on request."),
    AUDIT_ANCHOR_MIN_BATCH: integer(1, 4096)
      .default(100)
      .describe(
        'A batch closes once this many events wait, or once the oldest is AUDIT_ANCHOR_MAX_AGE_SECONDS old.',
      ),
    AUDIT_ANCHOR_MAX_AGE_SECONDS: integer(0, 86_400)
      .default(300)
      .describe('A batch closes once its oldest event is this old, however few events wait.'),
    FOUR_EYES: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      )
      .refine((actions) => actions.every((a) => (FOUR_EYES_ACTIONS as readonly string[]).includes(a)), {
        message: `must list actions from ${FOUR_EYES_ACTIONS.join(', ')}`,
      })
      .transform((actions) => new Set(actions as FourEyesAction[]))
      .describe(
        "Officers' actions that wait for a second officer's approval: any of revoke-address, bulk-revoke, key-rotate, sanctions-load, hold-lift, emergency-unpause, comma-separated (none by default).",
      ),
    APPROVAL_TTL_SECONDS: integer(60, 30 * 86_400)
      .default(86_400)
      .describe('How long a guarded action waits for its approval before it expires.'),
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: integer(1, 86_400)
      .default(60)
      .describe('The audit head is signed at least this often (when it moved), and on every anchor.'),
    CHAIN_RECEIPT_TIMEOUT_SECONDS: integer(1, 3600)
      .default(180)
      .describe('A transaction not mined within this long counts as lost; the next write replaces it.'),
    ZK_PROVER_WORKERS: integer(1, 64)
      .default(2)
      .describe(
        'Prover processes for custodial Groth16 attestations (each proves one at a time, single-threaded).',
      ),
    ZK_PROVER_QUEUE: integer(0, 10_000)
      .default(32)
      .describe('Proofs that may wait for a prover; beyond it, requests get 503 PROVER_BUSY.'),
    ZK_PROVER_TIMEOUT_SECONDS: integer(1, 600)
      .default(30)
      .describe(
        'A proof taking longer than this is abandoned (503 PROVER_BUSY) and its prover process restarted.',
      ),
    CHAIN_INDEX_INTERVAL_SECONDS: integer(1, 86_400)
      .default(5)
      .describe('How often the chain indexer reads new blocks for reconciliation.'),
    AGENT_EXECUTION_CONFIRMATIONS: integer(0, 10_000)
      .optional()
      .describe(
        'Blocks an ExecutionRequested must be below the indexed head before the execution gate decides it (a reorg shallower than this cannot undo a decided request). Default: 0 on the embedded chain, 12 on a configured chain.',
      ),
    CHAIN_INDEX_START_BLOCK: integer(0, Number.MAX_SAFE_INTEGER)
      .default(0)
      .describe('The block the contracts were deployed in: the indexer starts there.'),
    SHUTDOWN_DELAY_SECONDS: integer(0, 3600)
      .default(0)
      .describe(
        'After SIGTERM, how long /readyz says not ready while requests are still accepted (for balancers to notice).',
      ),
    SHUTDOWN_TIMEOUT_SECONDS: integer(1, 3600)
      .default(10)
      .describe(
        'Then: how long requests in flight and background job runs get to finish before the rest is closed anyway.',
      ),
    READYZ_SIGNER_CACHE_SECONDS: integer(0, 86_400)
      .default(60)
      .describe(
        'How long /readyz trusts a successful signer check (a KMS DescribeKey) before asking again; 0: every probe asks. Failures are not cached.',
      ),
    BODY_LIMIT: size
      .default('16kb')
      .describe(
        'The largest JSON body (413 PAYLOAD_TOO_LARGE beyond it); a few operations declare a larger one (see the limits table).',
      ),
    SANCTIONS_BODY_LIMIT: size
      .default('200mb')
      .describe(
        'Sanctions files uploaded raw (`custos sanctions load`) are streamed to disk up to this size.',
      ),
  })
  .superRefine((env, ctx) => {
    const need = (variable: keyof typeof env, because: string) => {
      if (env[variable] === undefined)
        ctx.addIssue({ code: 'custom', path: [variable], message: `is required ${because}` });
    };
    const refuse = (setting: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [setting], message });
    if (env.RPC_URL !== undefined) {
      need(
        'DATABASE_URL',
        'when RPC_URL is set: the embedded PostgreSQL is for development, the audit log and attestations would live in CUSTOS_DATA_DIR',
      );
      if (env.SIGNER === 'local' && !env.ALLOW_LOCAL_SIGNER) {
        refuse(
          'SIGNER=local',
          'is refused when RPC_URL is set: the signing key would be a file on disk and in process memory; use aws-kms or pkcs11 (or set ALLOW_LOCAL_SIGNER=true on purpose)',
        );
      }
      if (env.SIGNER === 'local')
        need(
          'LOCAL_KEYSTORE_FILE',
          'when SIGNER=local and RPC_URL is set (keys are not created for a configured chain)',
        );
      need('GATEKEEPER_ADDRESS', 'when RPC_URL is set');
      need('REVOCATION_REGISTRY_ADDRESS', 'when RPC_URL is set');
      if (!env.OPERATOR_KMS_KEY_ID && !env.OPERATOR_PKCS11_KEY_LABEL && !env.OPERATOR_PRIVATE_KEY) {
        refuse(
          'OPERATOR_KMS_KEY_ID',
          '(or OPERATOR_PKCS11_KEY_LABEL, or OPERATOR_PRIVATE_KEY) is required when RPC_URL is set: it sends revocations and rotations',
        );
      }
      need('SIGNER', 'when RPC_URL is set (local, pkcs11 or aws-kms)');
    }
    if (env.DATABASE_URL !== undefined && env.RPC_URL === undefined && !env.ALLOW_EMBEDDED_CHAIN) {
      refuse(
        'RPC_URL',
        'is required when DATABASE_URL is set: the embedded chain is a throwaway development chain (set ALLOW_EMBEDDED_CHAIN=true to use one with this database on purpose)',
      );
    }
    if (env.OPERATOR_KMS_KEY_ID) need('AWS_REGION', 'when OPERATOR_KMS_KEY_ID is set');
    if (env.OPERATOR_PKCS11_KEY_LABEL) {
      need('PKCS11_MODULE', 'when OPERATOR_PKCS11_KEY_LABEL is set');
      need('PKCS11_PIN', 'when OPERATOR_PKCS11_KEY_LABEL is set');
    }
    if (env.SIGNER === 'aws-kms') {
      need('KMS_KEY_ID', 'when SIGNER=aws-kms');
      need('AWS_REGION', 'when SIGNER=aws-kms');
    }
    if (env.SIGNER === 'pkcs11') {
      need('PKCS11_MODULE', 'when SIGNER=pkcs11');
      need('PKCS11_PIN', 'when SIGNER=pkcs11');
      need('PKCS11_KEY_LABEL', 'when SIGNER=pkcs11');
    }
    if (env.SIGNER === 'local' && env.RPC_URL !== undefined)
      need('LOCAL_KEYSTORE_PASSWORD', 'when SIGNER=local');
    const regulatorTokens = [
      env.REGULATOR_JWT_ISSUER,
      env.REGULATOR_JWT_AUDIENCE,
      env.REGULATOR_JWKS_URL,
      env.REGULATOR_JWT_PUBLIC_KEY,
    ].some((value) => value !== undefined);
    if (regulatorTokens) {
      need('REGULATOR_JWT_ISSUER', 'for regulator tokens');
      need('REGULATOR_JWT_AUDIENCE', 'for regulator tokens');
      if (!env.REGULATOR_JWKS_URL && !env.REGULATOR_JWT_PUBLIC_KEY) {
        refuse('REGULATOR_JWKS_URL', 'or REGULATOR_JWT_PUBLIC_KEY is required for regulator tokens');
      }
    }
  });

export type Env = z.infer<typeof envSchema>;

/** How many server processes WORKERS asks for (its default: one per core on embedded defaults, else 1). */
export function workerCount(env: Pick<Env, 'WORKERS' | 'DATABASE_URL'>): number {
  const workers = env.WORKERS ?? (env.DATABASE_URL ? 1 : 'auto');
  return workers === 'auto' ? availableParallelism() : workers;
}

/** Thrown for invalid configuration; its message is the one line start-up prints. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Every variable the service accepts: its own settings, and those the `custos` CLI and the deploy script read (they
 * are often set in the same environment). A new variable read anywhere else belongs here too, or start-up refuses it
 * as a misspelling of its neighbour.
 */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  ...Object.keys(envSchema.shape),
  'CUSTOS_URL',
  'CUSTOS_OFFICER_KEY',
  'CUSTOS_ADMIN_KEY',
  'DEPLOYER_PRIVATE_KEY',
]);

/**
 * Reads and validates the environment; the first problem becomes one line naming the variable. A variable that looks
 * like a misspelled setting is refused first: the setting it was meant to be would silently keep its default.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // An empty variable is treated as unset, as shells and container runtimes often leave them.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const misspelled = findMisspelling(Object.keys(present), KNOWN_VARIABLES);
  if (misspelled) {
    throw new ConfigError(
      `invalid configuration: ${misspelled.name} is not a Custos setting${misspelled.suggestion ? `; did you mean ${misspelled.suggestion}?` : ' (the CUSTOS_ prefix is reserved for Custos settings)'}`,
    );
  }
  const parsed = envSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new ConfigError(`invalid configuration: ${String(issue!.path[0])} ${issue!.message}`);
}
