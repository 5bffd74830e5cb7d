import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CustosApiError,
  CustosClient,
  type CallInput,
  type OperationId,
  type ResponseOf,
  type operations,
} from '@custos/sdk';

/** Thrown for anything the CLI reports: one line, non-zero exit. */
export class CliError extends Error {}

export interface Connection {
  url: string;
  key: string | undefined;
}

/**
 * CUSTOS_URL and the key for `as`: CUSTOS_OFFICER_KEY (officers' commands) or CUSTOS_ADMIN_KEY (tenants and API
 * keys); else the local server and the matching key from .custos/dev-credentials.json.
 */
export function connection(
  as: 'officer' | 'admin' = 'officer',
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const file = path.join(env.CUSTOS_DATA_DIR ?? '.custos', 'dev-credentials.json');
  const dev = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { url?: string; officerKey?: string; adminKey?: string })
    : {};
  return {
    url: env.CUSTOS_URL ?? dev.url ?? 'http://127.0.0.1:8080',
    key: as === 'admin' ? (env.CUSTOS_ADMIN_KEY ?? dev.adminKey) : (env.CUSTOS_OFFICER_KEY ?? dev.officerKey),
  };
}

/** The SDK's errors as the CLI's one line: `CODE: message`, or that the server cannot be reached. */
async function reported<T>(conn: Connection, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof CustosApiError) throw new CliError(error.message);
    throw new CliError(
      `cannot reach Custos at ${conn.url} (${(error as Error).message}); is it running (npm start)?`,
    );
  }
}

/** Calls an operation of the API contract, typed by it; API errors become `CODE: message`. */
export function call<Id extends OperationId>(
  conn: Connection,
  id: Id,
  input?: CallInput<(typeof operations)[Id]>,
): Promise<ResponseOf<(typeof operations)[Id]>> {
  // No retries: an officer's command runs once, and says so if it failed.
  const client = new CustosClient({ url: conn.url, apiKey: conn.key, retries: 0 });
  return reported(conn, () => client.call(id, input));
}

async function send(
  conn: Connection,
  route: string,
  init: RequestInit & { duplex?: 'half' },
): Promise<Response> {
  const response = await reported(conn, () =>
    fetch(new URL(route, conn.url), {
      ...init,
      headers: { ...(conn.key ? { authorization: `Bearer ${conn.key}` } : {}), ...init.headers },
      signal: AbortSignal.timeout(120_000),
    }),
  );
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  throw new CliError(`${body.error?.code ?? response.status}: ${body.error?.message ?? 'request failed'}`);
}

/** Streams `file` as the request body (sanctions lists of any size) and reads the JSON answer. */
export async function upload<T>(
  conn: Connection,
  route: string,
  file: string,
  contentType: string,
): Promise<T> {
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream;
  const response = await send(conn, route, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    duplex: 'half',
  });
  return (await response.json()) as T;
}

/** GETs `route` and copies the body to `out` as it arrives (exports of any size). */
export async function download(conn: Connection, route: string, out: NodeJS.WritableStream): Promise<void> {
  const response = await send(conn, route, { method: 'GET' });
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
}
