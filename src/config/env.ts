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
const schema = z
  .object({
    PORT: integer(0, 65_535).default(8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    CUSTOS_DATA_DIR: z.string().min(1).default('.custos'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    DATABASE_POOL_SIZE: integer(1, 200).default(10),
    RPC_URL: z.string().url({ message: 'must be an http(s) URL' }).optional(),
    CHAIN_ID: integer(1, 2 ** 53 - 1).optional(),
    GATEKEEPER_ADDRESS: address.optional(),
    REVOCATION_REGISTRY_ADDRESS: address.optional(),
    COMPLIANT_TOKEN_ADDRESS: address.optional(),
    AGENT_REGISTRY_ADDRESS: address.optional(),
    /** Sends revocations and signer rotations; holds the registry's publisher and the gatekeeper's signer-manager roles. */
    OPERATOR_PRIVATE_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, { message: 'must be a 0x-prefixed 32-byte hex key' })
      .optional(),
    /** The operator key in AWS KMS (uses AWS_REGION, KMS_ENDPOINT) or in the HSM (uses PKCS11_MODULE, PKCS11_PIN). */
    OPERATOR_KMS_KEY_ID: kmsKeyId.optional(),
    OPERATOR_PKCS11_KEY_LABEL: optionalString,
    SIGNER: z.enum(['local', 'pkcs11', 'aws-kms']).optional(),
    /** Accepts SIGNER=local (a key file on disk) with a configured chain; it then warns at every start. */
    ALLOW_LOCAL_SIGNER: flag,
    /** Accepts a configured database with the embedded throwaway chain (tests, benchmarks); it then warns. */
    ALLOW_EMBEDDED_CHAIN: flag,
    LOCAL_KEYSTORE_FILE: optionalString,
    LOCAL_KEYSTORE_PASSWORD: optionalString,
    KMS_KEY_ID: kmsKeyId.optional(),
    AWS_REGION: optionalString,
    KMS_ENDPOINT: z.string().url({ message: 'must be an http(s) URL' }).optional(),
    PKCS11_MODULE: optionalString,
    PKCS11_PIN: optionalString,
    PKCS11_KEY_LABEL: optionalString,
    PKCS11_TOKEN_LABEL: optionalString,
    POLICIES_FILE: optionalString,
    KYC_WEBHOOK_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    KYC_WEBHOOK_TOLERANCE_SECONDS: integer(1, 3600).default(300),
    /** How far ahead of the server's clock a provider's signed timestamp may be; beyond it the delivery is refused. */
    KYC_WEBHOOK_MAX_FUTURE_SECONDS: integer(0, 300).default(30),
    /** Webhook deliveries accepted per minute from one client address (before any signature is checked). */
    KYC_WEBHOOK_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(600),
    /** Refused deliveries are audited as one aggregated event per this many seconds (and process). */
    KYC_WEBHOOK_REFUSALS_AUDIT_SECONDS: integer(1, 86_400).default(60),
    RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(6000),
    /** Failed authentications one client address may make per minute; beyond it every request from it is 429. */
    AUTH_FAILURES_PER_MINUTE: integer(1, 1_000_000).default(60),
    TRUST_PROXY_HOPS: integer(0, 10).default(0),
    REGULATOR_JWT_ISSUER: optionalString,
    REGULATOR_JWT_AUDIENCE: optionalString,
    REGULATOR_JWKS_URL: z.string().url({ message: 'must be an http(s) URL' }).optional(),
    REGULATOR_JWT_PUBLIC_KEY: z
      .string()
      .includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key (SPKI)' })
      .optional(),
    /** Asymmetric algorithms only: `none` and HMAC (which a public key could forge) are refused. */
    REGULATOR_JWT_ALGORITHMS: z
      .string()
      .default('RS256,ES256')
      .transform((value) => value.split(',').map((a) => a.trim()))
      .refine((algs) => algs.every((a) => /^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(a)), {
        message: 'must list asymmetric algorithms only (RS256, PS256, ES256, EdDSA, ...)',
      }),
    REGULATOR_JWT_MAX_AGE_SECONDS: integer(60, 86_400).default(3600),
    AUDIT_ANCHOR_ADDRESS: address.optional(),
    AUDIT_ANCHOR_INTERVAL_SECONDS: integer(1, 86_400).default(60),
    /** At most 4,096: an event's inclusion proof is computed from its batch's leaves on request. */
    AUDIT_ANCHOR_MAX_BATCH: integer(1, 4096).default(1000),
    AUDIT_ANCHOR_MIN_BATCH: integer(1, 4096).default(100),
    AUDIT_ANCHOR_MAX_AGE_SECONDS: integer(0, 86_400).default(300),
    /**
     * Officers' actions that wait for a second officer's approval: any of revoke-address, bulk-revoke, key-rotate,
     * sanctions-load, hold-lift, comma-separated (none by default).
     */
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
      .transform((actions) => new Set(actions as FourEyesAction[])),
    /** How long a guarded action waits for its approval before it expires. */
    APPROVAL_TTL_SECONDS: integer(60, 30 * 86_400).default(86_400),
    /** The audit head is signed at least this often (when it moved), and on every anchor. */
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: integer(1, 86_400).default(60),
    /** A transaction not mined within this long counts as lost; the next write replaces it. */
    CHAIN_RECEIPT_TIMEOUT_SECONDS: integer(1, 3600).default(180),
    /** Prover processes for custodial Groth16 attestations (each proves one at a time, single-threaded). */
    ZK_PROVER_WORKERS: integer(1, 64).default(2),
    /** Proofs that may wait for a prover; beyond it, requests get 503 PROVER_BUSY. */
    ZK_PROVER_QUEUE: integer(0, 10_000).default(32),
    /** A proof taking longer than this is abandoned (503 PROVER_BUSY) and its prover process restarted. */
    ZK_PROVER_TIMEOUT_SECONDS: integer(1, 600).default(30),
    /** How often the chain indexer reads new blocks for reconciliation. */
    CHAIN_INDEX_INTERVAL_SECONDS: integer(1, 86_400).default(5),
    /**
     * Blocks an ExecutionRequested must be below the indexed head before the execution gate decides it (a reorg
     * shallower than this cannot undo a decided request). Default: 0 on the embedded chain (anvil mines a block per
     * transaction and never reorganises), 12 on a configured chain.
     */
    AGENT_EXECUTION_CONFIRMATIONS: integer(0, 10_000).optional(),
    /** The block the contracts were deployed in: the indexer starts there. */
    CHAIN_INDEX_START_BLOCK: integer(0, Number.MAX_SAFE_INTEGER).default(0),
    /** After SIGTERM, how long /readyz says not ready while requests are still accepted (for balancers to notice). */
    SHUTDOWN_DELAY_SECONDS: integer(0, 3600).default(0),
    /** Then: how long requests in flight and background job runs get to finish before the rest is closed anyway. */
    SHUTDOWN_TIMEOUT_SECONDS: integer(1, 3600).default(10),
    /** How long /readyz trusts a successful signer check (a KMS DescribeKey) before asking again. */
    READYZ_SIGNER_CACHE_SECONDS: integer(0, 86_400).default(60),
    BODY_LIMIT: size.default('16kb'),
    /** Sanctions files uploaded raw (`custos sanctions load`) are streamed to disk up to this size. */
    SANCTIONS_BODY_LIMIT: size.default('200mb'),
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

export type Env = z.infer<typeof schema>;

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
  ...Object.keys(schema.shape),
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
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new ConfigError(`invalid configuration: ${String(issue!.path[0])} ${issue!.message}`);
}
