/**
 * The chain id the node at `rpcUrl` serves (eth_chainId). A node that cannot say (unreachable, an HTTP error, a
 * JSON-RPC error, an answer that is not a chain id) is said as such, in one line that names RPC_URL rather than
 * the URL (which often carries a provider's API key).
 */
export async function readChainId(rpcUrl: string): Promise<number> {
  let response: Response;
  try {
    response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(`the node at RPC_URL cannot be reached (${(error as Error).message})`, { cause: error });
  }
  const text = await response.text();
  let body: { result?: unknown; error?: { message?: unknown } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined; // not JSON (a proxy's error page): reported below by its HTTP status
  }
  const result = body?.result;
  if (response.ok && typeof result === 'string' && /^0x[0-9a-fA-F]{1,13}$/.test(result)) {
    const id = Number(BigInt(result));
    if (id > 0 && Number.isSafeInteger(id)) return id;
  }
  const said =
    typeof body?.error?.message === 'string'
      ? `JSON-RPC error: ${body.error.message}`
      : `HTTP ${response.status}${body ? `, result ${JSON.stringify(result)}` : ', not JSON'}`;
  throw new Error(`the node at RPC_URL did not answer eth_chainId with a chain id (${said})`);
}
