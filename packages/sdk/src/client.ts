// The Custos HTTP client: every operation of the API contract, typed from the same schemas the service validates
// with, with the API's error codes as typed errors and safe retries. Browser-safe: fetch only.
import {
  ERRORS,
  operations,
  type ErrorCode,
  type Operation,
  type OperationId,
  type RequestOf,
  type ResponseOf,
} from './api/index.js';

/** An error answer from Custos: the HTTP status, the machine-readable code, the message and the details. */
export class CustosApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'HTTP_ERROR',
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'CustosApiError';
  }

  /** Whether retrying the same request later can succeed (the service or a dependency was unavailable or busy). */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

export interface CustosClientOptions {
  /** Where Custos serves, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** An API key (`cst_...`) or a regulator's JWT; public operations need none. */
  apiKey?: string;
  /** Attempts after the first for a retryable answer or a network error, on operations safe to repeat (default 3). */
  retries?: number;
  /** The first retry waits this long, then twice as long each time, or what Retry-After says (default 250 ms). */
  retryDelayMs?: number;
  /** The longest wait between attempts, whatever Retry-After says (default 30 s). */
  maxRetryDelayMs?: number;
  /** Per attempt (default 120 s: a custodial proof or a revocation waits for the chain). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The parts of a request an operation takes; each is optional when the operation has none. */
export type CallInput<O extends Operation> = {
  [K in keyof RequestOf<O> as RequestOf<O>[K] extends undefined ? never : K]: RequestOf<O>[K];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GETs are always safe to repeat; a POST only when it carries an Idempotency-Key. */
function repeatable(op: Operation, headers: Record<string, string>): boolean {
  return op.method === 'get' || 'idempotency-key' in headers;
}

function randomKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return `sdk-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A client for every operation of the Custos API. `call(operationId, input)` is typed by the contract; the named
 * methods cover what dApps do most. `attest` always sends an Idempotency-Key (its own unless you give one), so a
 * retry after a lost answer returns the same attestation instead of issuing a second.
 */
export class CustosClient {
  private readonly fetch: typeof fetch;

  constructor(readonly options: CustosClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Calls the operation `id` of the API contract with `input` (path parameters, query, headers, body). */
  async call<Id extends OperationId>(
    id: Id,
    input: CallInput<(typeof operations)[Id]> = {} as CallInput<(typeof operations)[Id]>,
  ): Promise<ResponseOf<(typeof operations)[Id]>> {
    const op: Operation = operations[id];
    const { params, query, headers, body } = input as Partial<
      Record<'params' | 'query' | 'headers' | 'body', unknown>
    >;
    const path = op.path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
      encodeURIComponent(String((params as Record<string, unknown> | undefined)?.[name] ?? '')),
    );
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries((query as Record<string, unknown> | undefined) ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const url = `${this.options.url.replace(/\/$/, '')}${path}${search.size ? `?${search}` : ''}`;
    const sent = { ...((headers as Record<string, string> | undefined) ?? {}) };
    return (await this.send(op, url, sent, body)) as ResponseOf<(typeof operations)[Id]>;
  }

  /** Screens `subject` against `policy` and returns the attestation (EIP-712 by default). */
  attest(
    request: RequestOf<(typeof operations)['attest']>['body'],
    options: { idempotencyKey?: string } = {},
  ): Promise<ResponseOf<(typeof operations)['attest']>> {
    return this.call('attest', {
      body: request,
      headers: { 'idempotency-key': options.idempotencyKey ?? randomKey() },
    });
  }

  /** An attestation's (or credential's) status and audit trail. */
  getAttestation(uid: string): Promise<ResponseOf<(typeof operations)['getAttestation']>> {
    return this.call('getAttestation', { params: { uid } });
  }

  /** A subject's attestations, newest first. */
  listAttestations(
    subject: string,
    limit?: number,
  ): Promise<ResponseOf<(typeof operations)['listAttestations']>> {
    return this.call('listAttestations', { query: { subject, limit } });
  }

  private async send(
    op: Operation,
    url: string,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<unknown> {
    const retries = repeatable(op, headers) ? (this.options.retries ?? 3) : 0;
    let delay = this.options.retryDelayMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(url, {
          method: op.method.toUpperCase(),
          headers: {
            ...headers,
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
        });
      } catch (error) {
        if (attempt >= retries) throw error;
        await sleep(delay);
        delay *= 2;
        continue;
      }
      if (response.ok) {
        return op.response.schema && response.headers.get('content-type')?.includes('json')
          ? response.json()
          : response.text();
      }
      const error = await apiError(response);
      if (!error.retryable || attempt >= retries) throw error;
      const retryAfter = Number(response.headers.get('retry-after'));
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : delay;
      // A proxy's Retry-After of a day must not hold an attestation that long.
      await sleep(Math.min(wait, this.options.maxRetryDelayMs ?? 30_000));
      delay *= 2;
    }
  }
}

async function apiError(response: Response): Promise<CustosApiError> {
  const text = await response.text();
  let body: { error?: { code?: string; message?: string; details?: unknown }; requestId?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: a proxy's error page
  }
  const code =
    body.error?.code && Object.hasOwn(ERRORS, body.error.code)
      ? (body.error.code as ErrorCode)
      : 'HTTP_ERROR';
  return new CustosApiError(
    response.status,
    code,
    body.error?.message ?? `HTTP ${response.status}`,
    body.error?.details,
    body.requestId,
  );
}
