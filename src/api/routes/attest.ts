import { Router } from 'express';
import { z } from 'zod';
import { CustosError } from '../../errors/index.js';
import { subjectAddress } from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate, tenantOf } from '../middleware.js';
import { jsonBody } from '../body.js';
import { validate } from '../validate.js';
import { bytes32, fieldElement } from '../zkFields.js';

const common = {
  subject: subjectAddress,
  policy: z.string().min(1).max(64),
  chainId: z.number().int().positive().optional(),
};

/**
 * Clients choose only subject, policy, format and (as a check) the chain: never expiry, signer or uid. A groth16
 * attestation also takes the holder's identity secret (custodial dApps), and optionally the recipient and the
 * contract and context that will spend the proof.
 */
const attestBody = z.preprocess(
  (body) =>
    body && typeof body === 'object' && !Array.isArray(body) && !('format' in body)
      ? { ...body, format: 'eip712' }
      : body,
  z.discriminatedUnion('format', [
    z.object({ ...common, format: z.literal('eip712') }).strict(),
    z
      .object({
        ...common,
        format: z.literal('groth16'),
        identitySecret: fieldElement,
        recipient: subjectAddress.optional(),
        consumer: subjectAddress.optional(),
        context: bytes32.optional(),
      })
      .strict(),
  ]),
);

export function attestRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post(
    '/v1/attest',
    authenticate(ctx, ['dapp', 'admin']),
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
      const body = validate(attestBody, req.body);
      if (body.chainId !== undefined && body.chainId !== ctx.chainId) {
        throw new CustosError('VALIDATION_FAILED', `chainId: this Custos issues for chain ${ctx.chainId}`);
      }
      const idempotencyKey = req.header('idempotency-key');
      if (idempotencyKey !== undefined && !/^[A-Za-z0-9_.:-]{1,128}$/.test(idempotencyKey)) {
        throw new CustosError('VALIDATION_FAILED', 'Idempotency-Key: 1 to 128 letters, digits or _.:-');
      }
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
            : await ctx.attestations.attest({ ...request, idempotencyKey });
        ctx.metrics.decisions.inc({ policy: body.policy, outcome: 'passed' });
        res.json(attestation);
      } catch (error) {
        if (error instanceof CustosError && error.code === 'SCREENING_FAILED') {
          ctx.metrics.decisions.inc({ policy: body.policy, outcome: 'failed' });
        }
        throw error;
      }
    },
  );
  return router;
}
