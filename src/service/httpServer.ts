import http, { type RequestListener, type Server, type ServerResponse } from 'node:http';

export interface HttpServer {
  server: Server;
  /**
   * Stops accepting connections and lets every request in flight finish (responses from now on say `Connection:
   * close`), for at most `timeoutMs`; then closes every connection left (idle keep-alive ones, ones that have not
   * sent a complete request). Resolves with how many requests were still running at the bound (0 when none).
   */
  close(timeoutMs: number): Promise<number>;
}

/**
 * The HTTP listener, counting requests in flight so shutdown can wait for them. A request counts until its handler
 * ends the response, not until the connection closes: when a client goes away mid-request (a load generator
 * stopping, a balancer timing out) the handler still runs, and still needs the signer and the database until it ends.
 */
export function serve(handler: RequestListener, port: number, host: string): Promise<HttpServer> {
  /** Responses whose handler has not ended them yet. */
  const running = new Set<ServerResponse>();
  /** Responses not yet sent in full (or abandoned by their client). */
  const sending = new Set<ServerResponse>();
  let closing = false;
  let settle = () => {};

  const server = http.createServer((req, res) => {
    running.add(res);
    sending.add(res);
    if (closing) res.setHeader('connection', 'close');
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      running.delete(res);
      settle();
      return end.apply(this, args as Parameters<typeof end>);
    } as typeof res.end;
    res.once('close', () => {
      sending.delete(res);
      settle();
    });
    handler(req, res);
  });
  server.keepAliveTimeout = 65_000; // longer than the usual balancer idle timeout (60 s), so the balancer closes first

  const close = (timeoutMs: number) =>
    new Promise<number>((resolve) => {
      closing = true;
      for (const res of running) if (!res.headersSent) res.setHeader('connection', 'close');
      server.close();
      let closed = false;
      const finish = (cut: number) => {
        if (closed) return;
        closed = true;
        clearTimeout(bound);
        server.closeAllConnections();
        resolve(cut);
      };
      const bound = setTimeout(() => finish(running.size), timeoutMs);
      settle = () =>
        setImmediate(() => {
          if (running.size === 0 && sending.size === 0) finish(0);
          else server.closeIdleConnections();
        });
      settle();
    });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, close });
    });
  });
}
