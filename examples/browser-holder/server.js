// The dApp's server for the page: serves it, and requests the holder's credential from Custos with the dApp's key,
// which never reaches the browser. devCredentials() reads what `npm start` wrote (.custos/dev-credentials.json here
// or in a folder above); CUSTOS_URL and CUSTOS_API_KEY override it. PORT: where to serve (default 5173).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { CustosApiError, CustosClient } from '@custos/sdk';
import { devApproveKyc, devCredentials } from '@custos/sdk/dev';

const config = devCredentials();
const custos = new CustosClient({ url: config.url, apiKey: config.apiKey });
const FILES = {
  '/': ['public/index.html', 'text/html'],
  '/app.js': ['dist/app.js', 'text/javascript'],
};

async function issueCredential(request) {
  let body = '';
  for await (const chunk of request) body += chunk;
  const { subject, identityCommitment } = JSON.parse(body);
  // In production your KYC provider's webhook tells Custos; in development the officer key does.
  await devApproveKyc(subject, config);
  return custos.call('issueCredential', { body: { subject, policy: 'kyc-basic', identityCommitment } });
}

const server = createServer(async (request, response) => {
  const json = (status, value) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  try {
    if (request.method === 'GET' && request.url === '/config.json')
      return json(200, { custosUrl: config.url });
    if (request.method === 'POST' && request.url === '/credential')
      return json(200, await issueCredential(request));
    const file = request.method === 'GET' && FILES[request.url];
    if (!file) return json(404, { error: 'not found' });
    response
      .writeHead(200, { 'content-type': file[1] })
      .end(await readFile(new URL(file[0], import.meta.url)));
  } catch (error) {
    json(error instanceof CustosApiError ? error.status : 400, { error: String(error.message ?? error) });
  }
});
server.listen(Number(process.env.PORT ?? 5173), '127.0.0.1', () => {
  console.log(`serving http://127.0.0.1:${server.address().port}`);
});
