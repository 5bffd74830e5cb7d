import { z } from 'zod';
import { boundAction } from './attestations.js';
import { address, policyName, selector, uid, unixSeconds } from './primitives.js';

/** The most calls one delegation may allow (ComplianceGatekeeper.MAX_DELEGATION_PERMISSIONS). */
export const MAX_DELEGATION_PERMISSIONS = 16;

/** `type(uint128).max`: the spend cap of a delegation that names none. */
export const UNCAPPED = (2n ** 128n - 1n).toString();

/** A 65-byte secp256k1 signature, `0x` and 130 hex digits (r, s, v), lower-case. */
export const signature65 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{130}$/, { message: 'must be a 65-byte signature: 0x and 130 hex digits' })
  .transform((value) => value.toLowerCase())
  .meta({ id: 'Signature', description: 'A 65-byte signature (r, s, v): 0x and 130 hex digits.' });

/** One call an agent may make: `selector` on `target`. */
export const delegationPermission = z
  .object({ target: address, selector })
  .strict()
  .meta({ id: 'DelegationPermission' });

/** An amount of token units below 2^128, decimal (JSON numbers cannot hold it). */
const spendCap = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,38})$/, { message: 'must be a decimal amount of token units', abort: true })
  .refine((value) => BigInt(value) <= 2n ** 128n - 1n, { message: 'must be below 2^128' });

/** Unix seconds a principal signs: up to the end of year 9999 (what dates and uint64 both hold). */
const signedSeconds = unixSeconds.max(253_402_300_799);

/**
 * What the principal signed, field for field the EIP-712 `Delegation` the gatekeeper checks, with the policy by name
 * and the cap in decimal (omitted: no cap, signed as 2^128-1). The principal chooses the uid (32 random bytes).
 */
export const delegationTerms = z
  .object({
    uid,
    principal: address,
    agent: address,
    policy: policyName,
    permissions: z
      .array(delegationPermission)
      .min(1, { message: 'must allow at least one call' })
      .max(MAX_DELEGATION_PERMISSIONS, { message: `must allow at most ${MAX_DELEGATION_PERMISSIONS} calls` }),
    spendCap: spendCap.optional(),
    issuedAt: signedSeconds,
    expiresAt: signedSeconds,
  })
  .strict()
  .meta({ id: 'DelegationTerms' });

/** `POST /v1/delegations`: the terms and the principal's EIP-712 signature over them. */
export const delegationRequest = z
  .object({ delegation: delegationTerms, principalSignature: signature65 })
  .strict()
  .meta({
    id: 'DelegationRequest',
    description:
      "The principal's consent, to be screened and countersigned. Sign the EIP-712 `Delegation` (types in the response) in the gatekeeper's domain (GET /v1/signers).",
  });

const typedField = z.object({ name: z.string(), type: z.string() });

/** A countersigned delegation, ready for `ComplianceGatekeeper.submitDelegation(message, principalSignature, signature)`. */
export const delegationResponse = z
  .object({
    uid: z.string(),
    principal: z.string(),
    agent: z.string(),
    policy: z.string(),
    permissions: z.array(boundAction.pick({ target: true, selector: true })),
    spendCap: z.string(),
    issuedAt: unixSeconds,
    expiresAt: unixSeconds,
    signer: z.string(),
    domain: z.object({
      name: z.literal('Custos'),
      version: z.literal('1'),
      chainId: z.number().int(),
      verifyingContract: z.string(),
    }),
    types: z.object({ Delegation: z.array(typedField), Permission: z.array(typedField) }),
    message: z.object({
      uid: z.string(),
      principal: z.string(),
      agent: z.string(),
      policyId: z.string(),
      permissions: z.array(boundAction.pick({ target: true, selector: true })),
      spendCap: z.string(),
      issuedAt: unixSeconds,
      expiresAt: unixSeconds,
    }),
    principalSignature: z.string(),
    signature: z.string(),
  })
  .meta({ id: 'Delegation' });
