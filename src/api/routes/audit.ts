import { Router } from 'express';
import { z } from 'zod';
import { signerTrustOnChain, verifyAuditLog, verifySavedCheckpoint } from '../../audit/index.js';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { authenticate } from '../middleware.js';
import { jsonBody } from '../body.js';
import { validate } from '../validate.js';

/** A checkpoint as GET /v1/audit/status returns it (and a regulator saved it). */
const savedCheckpoint = z
  .object({
    seq: z.string().regex(/^[1-9]\d{0,18}$/, { message: 'must be an event sequence number' }),
    head: z.string().regex(/^0x[0-9a-f]{64}$/, { message: 'must be 0x and 64 lower-case hex digits' }),
    signedAt: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40),
    chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    gatekeeper: z.string().regex(/^0x[0-9a-fA-F]{40}$/, { message: 'must be a 0x address' }),
    signer: z.string().regex(/^0x[0-9a-fA-F]{40}$/, { message: 'must be a 0x address' }),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, { message: 'must be a 65-byte 0x signature' }),
    reason: z.enum(['interval', 'anchor']),
    anchorBatch: z.number().int().min(0).nullable(),
  })
  .strict();

/** The audit log's integrity: the chain, anchors and checkpoints (`custos audit verify`), and saved checkpoints. */
export function auditRoutes(ctx: ApiContext): Router {
  const router = Router();
  const readers = authenticate(ctx, ['officer', 'regulator', 'admin']);
  router.get('/v1/audit/verify', readers, async (_req, res) => {
    res.json(await withDatabase(() => verifyAuditLog(ctx.db, ctx.chain)));
  });
  router.post('/v1/audit/checkpoints/verify', readers, jsonBody(ctx.env.BODY_LIMIT), async (req, res) => {
    const checkpoint = validate(savedCheckpoint, req.body);
    res.json(
      await withDatabase(() => verifySavedCheckpoint(ctx.db, checkpoint, signerTrustOnChain(ctx.chain))),
    );
  });
  return router;
}
