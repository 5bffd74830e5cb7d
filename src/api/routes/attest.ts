import { Router } from 'express';
import { z } from 'zod';
import { CustosError } from '../../errors/index.js';
import { subjectAddress } from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate, tenantOf } from '../middleware.js';
import { validate } from '../validate.js';

/** Clients choose only subject, policy, format and (as a check) the chain: never expiry, signer or uid. */
const attestBody = z
  .object({
    subject: subjectAddress,
    policy: z.string().min(1).max(64),
    format: z.enum(['eip712', 'groth16']).default('eip712'),
    chainId: z.number().int().positive().optional(),
  })
  .strict();

export function attestRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/v1/attest', authenticate(ctx, ['dapp', 'admin']), async (req, res) => {
    const body = validate(attestBody, req.body);
    if (body.chainId !== undefined && body.chainId !== ctx.chainId) {
      throw new CustosError('VALIDATION_FAILED', `chainId: this Custos issues for chain ${ctx.chainId}`);
    }
    if (body.format === 'groth16') {
      throw new CustosError(
        'NOT_IMPLEMENTED',
        'groth16 attestations are not available yet; use format "eip712"',
      );
    }
    const idempotencyKey = req.header('idempotency-key');
    if (idempotencyKey !== undefined && !/^[A-Za-z0-9_.:-]{1,128}$/.test(idempotencyKey)) {
      throw new CustosError('VALIDATION_FAILED', 'Idempotency-Key: 1 to 128 letters, digits or _.:-');
    }
    try {
      const attestation = await ctx.attestations.attest({
        tenantId: tenantOf(res),
        actor: actorOf(res),
        subject: body.subject,
        policy: body.policy,
        idempotencyKey,
      });
      ctx.metrics.decisions.inc({ policy: body.policy, outcome: 'passed' });
      res.json(attestation);
    } catch (error) {
      if (error instanceof CustosError && error.code === 'SCREENING_FAILED') {
        ctx.metrics.decisions.inc({ policy: body.policy, outcome: 'failed' });
      }
      throw error;
    }
  });
  return router;
}
