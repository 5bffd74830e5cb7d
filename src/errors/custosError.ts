// The codes and their statuses are part of the API contract (clients branch on them): @custos/sdk/api.
import { statusOf, type ErrorCode } from '@custos/sdk/api';

export type { ErrorCode };

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
    this.status = statusOf(code);
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
