/** The machine-readable codes of every error Custos returns, with their HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNKNOWN_POLICY: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  WEBHOOK_REJECTED: 401,
  SCREENING_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_REVOKED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  WEBHOOK_REPLAYED: 409,
  ATTESTATION_REVOKED: 409,
  ATTESTATION_EXPIRED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ZK_POLICY_UNSUPPORTED: 422,
  CREDENTIAL_UNUSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
  SIGNER_UNAVAILABLE: 503,
  CHAIN_UNAVAILABLE: 503,
  IDENTITY_PROVIDER_UNAVAILABLE: 503,
  PROVER_BUSY: 503,
  BUSY: 503,
  ISSUANCE_TREE_FULL: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every failure Custos reports on purpose: a code, a human message, optional details, and the cause kept for logs. */
export class CustosError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CustosError';
    this.status = ERROR_STATUS[code];
  }
}

const UNREACHABLE =
  /not queryable|ConnectionClosed|Server has closed the connection|Unable to start a transaction in the given time|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection terminated|Can't reach database|terminating connection|the database system is (starting up|shutting down)|connection timeout/i;

/** Follows `cause` links from `error`, innermost last. */
export function* causes(error: unknown): Generator<unknown> {
  for (let current = error, depth = 0; current && depth < 10; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** Whether anything in the cause chain says the database could not be reached (as opposed to a query bug). */
export function isUnreachable(error: unknown): boolean {
  for (const cause of causes(error)) {
    const code = (cause as { code?: unknown }).code;
    // 08xxx: connection exceptions; 57Pxx: server shutting down; Prisma P1001: unreachable, P2028: no connection in time.
    if (
      typeof code === 'string' &&
      (UNREACHABLE.test(code) || /^(08|57P)/.test(code) || ['P1001', 'P2028'].includes(code))
    ) {
      return true;
    }
    if (cause instanceof Error && UNREACHABLE.test(cause.message)) return true;
  }
  return false;
}

/** Runs a database step, turning an unreachable database into a 503 the caller can retry. */
export async function withDatabase<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof CustosError) && isUnreachable(error)) {
      throw new CustosError('DATABASE_UNAVAILABLE', 'the database is unreachable; retry shortly', undefined, {
        cause: error,
      });
    }
    throw error;
  }
}
