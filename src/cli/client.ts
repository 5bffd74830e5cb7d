import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import path from 'node:path';

/** Thrown for anything the CLI reports: one line, non-zero exit. */
export class CliError extends Error {}

export interface Connection {
  url: string;
  key: string | undefined;
}

/** CUSTOS_URL and CUSTOS_OFFICER_KEY, else the local server and officer key from .custos/dev-credentials.json. */
export function connection(env: NodeJS.ProcessEnv = process.env): Connection {
  const file = path.join(env.CUSTOS_DATA_DIR ?? '.custos', 'dev-credentials.json');
  const dev = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { url?: string; officerKey?: string })
    : {};
  return {
    url: env.CUSTOS_URL ?? dev.url ?? 'http://127.0.0.1:8080',
    key: env.CUSTOS_OFFICER_KEY ?? dev.officerKey,
  };
}

type Body = { json: unknown } | { file: string; contentType: string };

async function send(conn: Connection, method: string, route: string, body?: Body): Promise<Response> {
  try {
    return await fetch(new URL(route, conn.url), {
      method,
      headers: {
        ...(conn.key ? { authorization: `Bearer ${conn.key}` } : {}),
        ...(body === undefined
          ? {}
          : { 'content-type': 'json' in body ? 'application/json' : body.contentType }),
      },
      ...(body === undefined
        ? {}
        : 'json' in body
          ? { body: JSON.stringify(body.json) }
          : { body: Readable.toWeb(createReadStream(body.file)) as ReadableStream, duplex: 'half' }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach Custos at ${conn.url} (${(error as Error).message}); is it running (npm start)?`,
    );
  }
}

/** The API's error body as one line: `CODE: message`. */
async function failure(response: Response): Promise<CliError> {
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  return new CliError(`${body.error?.code ?? response.status}: ${body.error?.message ?? 'request failed'}`);
}

/** Calls the admin API; API errors become `CODE: message`, an unreachable server says so. */
export async function call<T>(conn: Connection, method: string, route: string, body?: unknown): Promise<T> {
  return answer<T>(await send(conn, method, route, body === undefined ? undefined : { json: body }));
}

/** Streams `file` as the request body (sanctions lists of any size) and reads the JSON answer. */
export async function upload<T>(
  conn: Connection,
  route: string,
  file: string,
  contentType: string,
): Promise<T> {
  return answer<T>(await send(conn, 'POST', route, { file, contentType }));
}

async function answer<T>(response: Response): Promise<T> {
  if (!response.ok) throw await failure(response);
  try {
    return (await response.json()) as T;
  } catch {
    throw new CliError(`Custos answered ${response.status} with a body that is not JSON`);
  }
}

/** GETs `route` and copies the body to `out` as it arrives (exports of any size). */
export async function download(conn: Connection, route: string, out: NodeJS.WritableStream): Promise<void> {
  const response = await send(conn, 'GET', route);
  if (!response.ok) throw await failure(response);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
}
