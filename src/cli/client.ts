import { existsSync, readFileSync } from 'node:fs';
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

/** Calls the admin API; API errors become `CODE: message`, an unreachable server says so. */
export async function call<T>(conn: Connection, method: string, route: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(route, conn.url), {
      method,
      headers: {
        ...(conn.key ? { authorization: `Bearer ${conn.key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach Custos at ${conn.url} (${(error as Error).message}); is it running (npm start)?`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`Custos answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } }).error;
    throw new CliError(`${error?.code ?? response.status}: ${error?.message ?? 'request failed'}`);
  }
  return json as T;
}
