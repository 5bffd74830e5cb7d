import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { CustosError, isUnreachable } from '../errors/index.js';

/** One JSON shape for every error: `{ error: { code, message, details? }, requestId }`; causes stay in the logs. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const known = toCustosError(error);
    if (known.code === 'INTERNAL')
      logger.error({ err: error, requestId: req.id, code: known.code }, known.message);
    else if (known.status >= 500) {
      // Outages and refusals by design (PAUSED, PROVER_BUSY, ...): expected, said once per request without a stack.
      const cause = (known.cause as Error | undefined)?.message;
      logger.warn({ requestId: req.id, code: known.code, ...(cause ? { cause } : {}) }, known.message);
    }
    // A body never read (refused before parsing) is not drained: the connection closes after the answer.
    if (!req.complete) res.setHeader('connection', 'close');
    res.status(known.status).json({
      error: {
        code: known.code,
        message: known.message,
        ...(known.details === undefined ? {} : { details: known.details }),
      },
      requestId: req.id,
    });
  };
}

function toCustosError(error: unknown): CustosError {
  if (error instanceof CustosError) return error;
  const bodyError = error as { type?: string; status?: number };
  if (bodyError.type === 'entity.too.large')
    return new CustosError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  if (bodyError.type === 'entity.parse.failed')
    return new CustosError('MALFORMED_JSON', 'the request body is not valid JSON');
  if (bodyError.type === 'encoding.unsupported' || bodyError.type === 'charset.unsupported') {
    return new CustosError('UNSUPPORTED_MEDIA_TYPE', 'the request body encoding is not supported');
  }
  // body-parser's other refusals (a body that does not inflate, a client that aborted it) are the client's.
  const status = bodyError.status ?? (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new CustosError(
      'MALFORMED_JSON',
      'the request body could not be read (a broken or unsupported encoding)',
    );
  }
  // Every other dependency's failures arrive as CustosErrors; a raw one that says "unreachable" is the database's
  // (a query a handler did not wrap in withDatabase): the outage, retryable, not a crash.
  if (isUnreachable(error)) {
    return new CustosError('DATABASE_UNAVAILABLE', 'the database is unreachable; retry shortly', undefined, {
      cause: error,
    });
  }
  return new CustosError('INTERNAL', 'an internal error occurred', undefined, { cause: error });
}

export function notFound(req: Request): never {
  throw new CustosError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
}
