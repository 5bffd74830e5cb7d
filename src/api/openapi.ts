import { ERRORS, errorBody, errorsOf, operations, type ErrorCode, type Operation } from '@custos/sdk/api';
import { Router } from 'express';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';

/** `/v1/attestations/:uid` → `/v1/attestations/{uid}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** One error response per status, its `code` narrowed to the codes this operation can answer with at that status. */
function errorResponses(op: Operation) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorsOf(op))
    byStatus.set(ERRORS[code][0], [...(byStatus.get(ERRORS[code][0]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: codes.map((code) => `\`${code}\`: ${ERRORS[code][1]}`).join('; '),
        content: {
          'application/json': {
            schema: errorBody.extend({
              error: errorBody.shape.error.extend({ code: z.enum(codes as [ErrorCode, ...ErrorCode[]]) }),
            }),
          },
        },
      },
    ]),
  );
}

function operationObject(id: string, op: Operation): ZodOpenApiOperationObject {
  const content = op.body ? { 'application/json': { schema: op.body } } : {};
  const raw = Object.fromEntries(
    (op.rawBody?.types ?? []).map((type) => [
      type,
      { schema: { type: 'string', description: op.rawBody!.description } },
    ]),
  );
  return {
    operationId: id,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(typeof op.auth === 'string'
      ? op.auth === 'webhook'
        ? { security: [{ webhookSignature: [] }] }
        : {}
      : { security: [{ apiKey: [] }], 'x-custos-roles': [...op.auth] }),
    requestParams: {
      ...(op.params ? { path: op.params } : {}),
      ...(op.query ? { query: op.query as z.ZodObject } : {}),
      ...(op.headers ? { header: op.headers } : {}),
    },
    ...(op.body || op.rawBody ? { requestBody: { required: true, content: { ...content, ...raw } } } : {}),
    responses: {
      200: {
        description: op.response.description,
        content: {
          [op.response.contentType ?? 'application/json']: op.response.schema
            ? { schema: op.response.schema }
            : {},
        },
      },
      ...(op.accepted
        ? {
            202: {
              description: op.accepted.description,
              content: { 'application/json': { schema: op.accepted.schema } },
            },
          }
        : {}),
      ...errorResponses(op),
    },
  } as ZodOpenApiOperationObject;
}

/** The OpenAPI 3.1 document, generated from the operations table: the schemas that validate requests and shape responses. */
export function createOpenApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const [id, op] of Object.entries(operations) as [string, Operation][]) {
    paths[openApiPath(op.path)] = { ...paths[openApiPath(op.path)], [op.method]: operationObject(id, op) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Custos',
      version: '1',
      description:
        'Compliance attestation oracle: screening, EIP-712 attestations and zero-knowledge credentials, revocation and holds, a hash-chained audit log anchored on-chain.',
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A Custos API key (cst_...), or a regulator JWT',
        },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Custos-Signature',
          description:
            'sha256=<hex>: HMAC-SHA256 of `<X-Custos-Timestamp>.<raw body>` under KYC_WEBHOOK_SECRET',
        },
      },
    },
    paths,
  });
}

export type OpenApiDocument = ReturnType<typeof createOpenApiDocument>;

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A plain HTML rendering of the document (no scripts, so the default helmet CSP stands). */
export function docsPage(document: OpenApiDocument): string {
  const sections = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Record<string, unknown>>).map(([method, operation]) => {
      const op = operation as {
        operationId: string;
        summary: string;
        description?: string;
        'x-custos-roles'?: string[];
        security?: unknown;
        responses: Record<string, { description: string }>;
      };
      const auth = op['x-custos-roles']?.join(', ') ?? (op.security ? 'webhook signature' : 'public');
      const errors = Object.entries(op.responses)
        .filter(([status]) => status !== '200')
        .map(([status, r]) => `<li><code>${status}</code> ${escape(r.description)}</li>`)
        .join('');
      return `<section id="${escape(op.operationId)}"><h2><code>${method.toUpperCase()} ${escape(path)}</code></h2>
<p>${escape(op.summary)}${op.description ? `</p><p>${escape(op.description)}` : ''}</p><p>Who: ${escape(auth)}</p>
<ul>${errors}</ul></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Custos API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}section{border-bottom:1px solid #ddd}</style>
</head><body><h1>Custos API</h1><p>${escape(document.info.description ?? '')} Machine-readable, with every schema:
<a href="/openapi.json">/openapi.json</a>. Errors are <code>{"error":{"code","message","details"},"requestId"}</code>.</p>
${sections.join('\n')}</body></html>`;
}

export function openApiRoutes(): Router {
  const router = Router();
  const document = createOpenApiDocument();
  const page = docsPage(document);
  router.get(operations.openApi.path, (_req, res) => {
    res.json(document);
  });
  router.get(operations.docs.path, (_req, res) => {
    res.type('html').send(page);
  });
  return router;
}
