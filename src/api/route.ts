import type { Operation, ValidatedRequestOf } from '@custos/sdk/api';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { jsonBody } from './body.js';
import type { ApiContext } from './context.js';
import { authenticate } from './middleware.js';
import { validate } from './validate.js';

/** A 202 answer: the work continues in the background, or waits for a second officer (see the contract's `accepted`). */
export class Accepted<T = unknown> {
  constructor(readonly body: T) {}
}

/** What a handler's result must be: the input of the operation's response schema, sent as JSON, or its 202 answer. */
export type ResultOf<O extends Operation> =
  | (O['response'] extends { schema: infer S extends z.ZodType } ? z.input<S> : never)
  | (O['accepted'] extends { schema: infer A extends z.ZodType } ? Accepted<z.input<A>> : never);

type Handler<O extends Operation, R> = (
  request: ValidatedRequestOf<O>,
  http: { req: Request; res: Response },
) => Promise<R> | R;

interface RouteOptions {
  /** Run before authentication and validation (public rate limits, CORS, a feature switch). */
  before?: RequestHandler[];
  /** Run once the body is read, before it is validated: a webhook's signature over the raw bytes. */
  afterBody?: RequestHandler[];
}

/** Express's `:name` segments as they are: the contract is written in Express style. */
function register(router: Router, op: Operation, handlers: RequestHandler[]): void {
  router[op.method](op.path, ...handlers);
}

/**
 * The middleware every operation gets from its contract: authentication for its roles first, then its JSON body
 * (read only once the caller is known), then its path parameters, query, headers and body validated with the
 * contract's schemas. A webhook authenticates itself from the body it signs, so its body is read first.
 */
function prelude(ctx: ApiContext, op: Operation, options: RouteOptions): RequestHandler[] {
  const auth = typeof op.auth === 'string' ? [] : [authenticate(ctx, op.auth)];
  const body = op.body && !op.rawBody ? [jsonBody(op.bodyLimit ?? ctx.env.BODY_LIMIT)] : [];
  return [...(options.before ?? []), ...auth, ...body, ...(options.afterBody ?? [])];
}

function validated<O extends Operation>(op: O, req: Request): ValidatedRequestOf<O> {
  return {
    params: op.params ? validate(op.params, req.params) : undefined,
    query: op.query ? validate(op.query, req.query) : undefined,
    headers: op.headers ? validate(op.headers, req.headers) : undefined,
    body: op.body && !op.rawBody ? validate(op.body, req.body ?? {}) : undefined,
  } as ValidatedRequestOf<O>;
}

/** Registers `op` with a handler whose result is the operation's JSON response. */
export function route<O extends Operation>(
  router: Router,
  ctx: ApiContext,
  op: O,
  handler: Handler<O, ResultOf<O>>,
  options: RouteOptions = {},
): void {
  register(router, op, [
    ...prelude(ctx, op, options),
    async (req, res) => {
      const result = await handler(validated(op, req), { req, res });
      if (result instanceof Accepted) res.status(202).json(result.body);
      else res.json(result);
    },
  ]);
}

/**
 * Registers `op` with a handler that writes the response itself: files, streams, text formats, or a body it reads
 * itself (a webhook's signed bytes, a sanctions file). Authentication still comes first.
 */
export function rawRoute<O extends Operation>(
  router: Router,
  ctx: ApiContext,
  op: O,
  handler: Handler<O, void>,
  options: RouteOptions = {},
): void {
  register(router, op, [
    ...prelude(ctx, op, options),
    async (req, res) => {
      await handler(validated(op, req), { req, res });
    },
  ]);
}
