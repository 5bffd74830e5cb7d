import { z } from 'zod';

export const health = z.object({ status: z.literal('ok') });

export const readiness = z.object({
  status: z.literal('ready'),
  checks: z.object({
    database: z.string(),
    chain: z.string(),
    signer: z.object({ state: z.string(), backend: z.string(), address: z.string() }),
  }),
});

/** `GET /v1/signers`: what a dApp needs to verify attestations itself. */
export const signers = z
  .object({
    chainId: z.number().int(),
    gatekeeper: z.string(),
    revocationRegistry: z.string(),
    domain: z.object({
      name: z.literal('Custos'),
      version: z.literal('1'),
      chainId: z.number().int(),
      verifyingContract: z.string(),
    }),
    signers: z.array(
      z.object({
        address: z.string(),
        backend: z.string(),
        status: z.string(),
        validFrom: z.string(),
        validUntil: z.string().nullable(),
      }),
    ),
    policies: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        lifetimeSeconds: z.number().int(),
        /** How long an action-bound attestation (POST /v1/attest with `action`) lives. */
        actionLifetimeSeconds: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'Signers' });
