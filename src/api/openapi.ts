import { Router } from 'express';

const error = { $ref: '#/components/schemas/Error' };
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      { description: 'error', content: { 'application/json': { schema: error } } },
    ]),
  );
const ok = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' };
const bearer = [{ apiKey: [] }];
const fieldElement = { type: 'string', pattern: '^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$' };
const bytes32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' };
const credentialId = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } };

/** The public HTTP surface, as OpenAPI 3.1. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Custos',
    version: '1',
    description:
      'Compliance attestation oracle: screening, EIP-712 attestations, revocation and a hash-chained audit log.',
  },
  components: {
    securitySchemes: {
      apiKey: { type: 'http', scheme: 'bearer', description: 'A Custos API key (cst_...)' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error', 'requestId'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', example: 'SCREENING_FAILED' },
              message: { type: 'string' },
              details: {},
            },
          },
          requestId: { type: 'string' },
        },
      },
    },
  },
  paths: {
    '/healthz': { get: { summary: 'Liveness', responses: { 200: ok('the process is up') } } },
    '/readyz': {
      get: {
        summary: 'Readiness: database, signer and chain reachable (503 while shutting down)',
        responses: { 200: ok('ready'), ...errors(503) },
      },
    },
    '/metrics': {
      get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } },
    },
    '/v1/signers': {
      get: {
        summary: 'Active signers, chain id, gatekeeper, EIP-712 domain and policies',
        responses: { 200: ok('signers') },
      },
    },
    '/v1/attest': {
      post: {
        summary: 'Screen a subject against a policy and issue an attestation',
        description:
          "eip712: returns `{ uid, format, policy, subject, issuedAt, expiresAt, signer, domain, types, message, signature }`; pass `message` and `signature` to `submitAttestation` or `mintWithAttestation`. groth16 (custodial: send the holder's `identitySecret`): returns `{ uid, format, policy, policyId, subject, recipient, issuedAt, expiresAt, credentialId, scope, proof, publicSignals }`; pass `proof` to `submitProof(policyId, recipient, proof)`, `mintWithProof` or (with `consumer` and `context` set) `executeWithProof`. The audit event is committed before the response.",
        security: bearer,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Retries with the same key and request get the same attestation; another request under the key is 409.',
            schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['subject', 'policy'],
                properties: {
                  subject: address,
                  policy: { type: 'string', example: 'kyc-basic' },
                  format: { enum: ['eip712', 'groth16'], default: 'eip712' },
                  chainId: { type: 'integer' },
                  identitySecret: { ...fieldElement, description: 'groth16 only: the holder secret' },
                  recipient: { ...address, description: 'groth16 only: default the subject' },
                  consumer: { ...address, description: 'groth16 only: default the gatekeeper' },
                  context: { ...bytes32, description: 'groth16 only: default the policy id' },
                },
              },
            },
          },
        },
        responses: { 200: ok('the attestation'), ...errors(400, 401, 403, 413, 415, 422, 429, 503) },
      },
    },
    '/v1/attestations': {
      get: {
        summary: "A subject's attestations",
        security: bearer,
        parameters: [{ name: 'subject', in: 'query', required: true, schema: address }],
        responses: { 200: ok('attestations'), ...errors(400, 401, 403) },
      },
    },
    '/v1/attestations/{uid}': {
      get: {
        summary: 'Status (active, expired, revoked) and audit trail of an attestation',
        security: bearer,
        parameters: [
          {
            name: 'uid',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' },
          },
        ],
        responses: { 200: ok('the attestation and its audit events'), ...errors(400, 401, 404) },
      },
    },
    '/v1/credentials': {
      post: {
        summary:
          "Screen a subject and issue a zero-knowledge credential for the holder's identity commitment",
        description:
          'Body `{ subject, policy, identityCommitment }` (Poseidon of the holder secret). Returns the credential fields the holder proves with and the issuance root holding it, already on-chain.',
        security: bearer,
        responses: { 200: ok('the credential'), ...errors(400, 401, 403, 422, 429, 503) },
      },
    },
    '/v1/credentials/{id}/issuance-path': {
      get: {
        summary: "A credential's issuance-tree path to a root the gatekeeper accepts (public)",
        parameters: [credentialId],
        responses: { 200: ok('{ credentialId, root, siblings }'), ...errors(400, 404, 429, 503) },
      },
    },
    '/v1/credentials/{id}/revocation-path': {
      get: {
        summary:
          "A credential's non-membership path in the revocation tree, to the registry's current root (public)",
        parameters: [credentialId],
        responses: { 200: ok('{ credentialId, root, epoch, siblings }'), ...errors(400, 404, 422, 429, 503) },
      },
    },
    '/v1/zk': {
      get: {
        summary:
          "Chain, gatekeeper, each policy's zero-knowledge parameters and the circuit artifacts' URLs (public)",
        responses: { 200: ok('parameters') },
      },
    },
    '/v1/kyc/webhook': {
      post: {
        summary: 'KYC provider callback',
        description:
          'Headers `X-Custos-Timestamp` (unix seconds) and `X-Custos-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. Stale or badly signed calls change nothing and are audited.',
        responses: { 200: ok('applied, or ignored as older than the stored record'), ...errors(400, 401) },
      },
    },
    '/v1/kyc/{subject}': {
      put: {
        summary: "Set a subject's KYC record (officer)",
        security: bearer,
        responses: { 200: ok('stored'), ...errors(400, 401, 403) },
      },
    },
    '/v1/sanctions': {
      post: {
        summary: 'Load a sanctions or deny list version (officer)',
        security: bearer,
        responses: { 200: ok('loaded'), ...errors(400, 401, 403) },
      },
    },
    '/v1/revocations': {
      post: {
        summary:
          'Revoke an attestation or credential uid, or every attestation and credential of an address, and wait for the chain (officer)',
        security: bearer,
        responses: { 200: ok('revoked'), ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    '/v1/keys': {
      get: {
        summary: 'Signing keys and their on-chain windows (officer)',
        security: bearer,
        responses: { 200: ok('keys') },
      },
    },
    '/v1/keys/rotate': {
      post: {
        summary: 'Rotate the signing key with an overlap window (officer)',
        security: bearer,
        responses: { 200: ok('rotated'), ...errors(400, 503) },
      },
    },
    '/v1/audit/verify': {
      get: {
        summary: 'Recompute the audit hash chain and report the first broken link',
        security: bearer,
        responses: { 200: ok('verification') },
      },
    },
    '/v1/audit/events': {
      get: {
        summary:
          'Audit events by subject, type, attestationUid, tenantId, from/to; cursor pages (reader roles)',
        description:
          "Readers limited to tenants see those tenants' events and service-wide facts; naming another tenant is 403 and audited.",
        security: bearer,
        responses: { 200: ok('a page of events and nextCursor'), ...errors(400, 401, 403) },
      },
    },
    '/v1/audit/events/{seq}': {
      get: {
        summary: 'One audit event with the inclusion proof of its anchored batch',
        security: bearer,
        responses: { 200: ok('the event'), ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/audit/export': {
      get: {
        summary: 'Stream matching audit events as JSON Lines or CSV (format=jsonl|csv)',
        security: bearer,
        responses: { 200: { description: 'application/x-ndjson or text/csv' }, ...errors(400, 401, 403) },
      },
    },
    '/v1/audit/status': {
      get: {
        summary: 'Audit log head, anchoring progress and the chain indexer cursor',
        security: bearer,
        responses: { 200: ok('status') },
      },
    },
    '/v1/audit/chain-events': {
      get: {
        summary: 'Indexed contract events for a subject or attestationUid (on-chain uses, revocations)',
        security: bearer,
        responses: { 200: ok('events'), ...errors(400, 401, 403) },
      },
    },
    '/v1/reconcile': {
      get: {
        summary: 'Disagreements between the database and the chain (officer)',
        security: bearer,
        responses: { 200: ok('indexedThroughBlock and disagreements'), ...errors(401, 403) },
      },
    },
  },
} as const;

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A plain HTML rendering of the document (no scripts, so the default helmet CSP stands). */
function docsPage(): string {
  const rows = Object.entries(openApiDocument.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => {
      const op = operation as { summary: string; description?: string; security?: unknown };
      return `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(op.summary)}${
        op.description ? `<br><small>${escape(op.description)}</small>` : ''
      }</td><td>${op.security ? 'API key' : 'public'}</td></tr>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Custos API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}td{padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}</style>
</head><body><h1>Custos API</h1><p>${escape(openApiDocument.info.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a>.
Errors are <code>{"error":{"code","message","details"},"requestId"}</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Auth</th></tr></thead><tbody>${rows.join('')}</tbody></table></body></html>`;
}

export function openApiRoutes(): Router {
  const router = Router();
  const page = docsPage();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  return router;
}
