import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { resolveAction } from '../../attest/index.js';
import { CustosError } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, tenantOf } from '../middleware.js';
import { route } from '../route.js';

export function attestRoutes(ctx: ApiContext): Router {
  const router = Router();
  route(router, ctx, operations.attest, async ({ body, headers }, { res }) => {
    ctx.emergency.assertIntakeOpen();
    if (body.chainId !== undefined && body.chainId !== ctx.chainId) {
      throw new CustosError('VALIDATION_FAILED', `chainId: this Custos issues for chain ${ctx.chainId}`);
    }
    const idempotencyKey = headers['idempotency-key'];
    if (idempotencyKey !== undefined && body.format === 'groth16') {
      throw new CustosError(
        'VALIDATION_FAILED',
        'Idempotency-Key applies to eip712 attestations; a groth16 attestation is a fresh proof each time',
      );
    }
    const request = {
      tenantId: tenantOf(res),
      actor: actorOf(res),
      subject: body.subject,
      policy: body.policy,
    };
    try {
      const attestation =
        body.format === 'groth16'
          ? await ctx.zkAttestations.attest({ ...request, ...body })
          : await ctx.attestations.attest({
              ...request,
              idempotencyKey,
              format: body.format,
              action: body.format === 'eip712' && body.action ? resolveAction(body.action) : undefined,
            });
      ctx.metrics.decisions.inc({ policy: body.policy, outcome: 'passed' });
      return attestation;
    } catch (error) {
      if (error instanceof CustosError && error.code === 'SCREENING_FAILED') {
        ctx.metrics.decisions.inc({ policy: body.policy, outcome: 'failed' });
      }
      throw error;
    }
  });
  return router;
}
