import { z } from 'zod';

/** Every error code Custos answers with: its HTTP status and what it means. The contract clients branch on. */
export const ERRORS = {
  VALIDATION_FAILED: [
    400,
    'a field, parameter or header does not fit its grammar; details.issues lists each',
  ],
  UNKNOWN_POLICY: [400, 'no policy of that name; details.policies lists them'],
  MALFORMED_JSON: [400, 'the body is not one JSON object, or names a key twice'],
  UNAUTHENTICATED: [401, 'no API key or token, or one that is not valid'],
  WEBHOOK_REJECTED: [
    401,
    'a webhook delivery without a valid signature, stale or from the future (details.reason)',
  ],
  SCREENING_FAILED: [403, 'the subject does not satisfy the policy; details.reasons names every failed rule'],
  FORBIDDEN: [403, "the key's role does not fit this endpoint, or the data belongs to another tenant"],
  NOT_FOUND: [404, 'no such resource (also for another tenant’s, with the same answer)'],
  ALREADY_EXISTS: [409, 'something of that name already exists'],
  ALREADY_REVOKED: [409, 'everything the revocation names is already revoked (and held, for an address)'],
  IDEMPOTENCY_KEY_REUSED: [409, 'the Idempotency-Key was used for another subject or policy'],
  ATTESTATION_REVOKED: [409, 'the attestation issued under this Idempotency-Key was revoked; use a new key'],
  ATTESTATION_EXPIRED: [409, 'the attestation issued under this Idempotency-Key has expired; use a new key'],
  WEBHOOK_REPLAYED: [409, 'this exact webhook delivery was already received'],
  APPROVAL_DECIDED: [409, 'the approval was already approved or rejected, or has expired'],
  APPROVAL_STALE: [
    409,
    'what the action was requested for has changed (the pause or hold it lifts is another one, or gone): request it again',
  ],
  REQUESTER_REVOKED: [
    409,
    "the requester's API key (and any key rotated from it) is revoked or expired: the action cannot run as them",
  ],
  ALREADY_PAUSED: [409, 'the emergency stop is already on'],
  NOT_PAUSED: [409, 'the emergency stop is not on'],
  EXECUTION_FINISHED: [409, 'the execution already has its result (or was refused)'],
  LEASE_NOT_HELD: [
    409,
    'the execution is not leased to this executor (another claimed it, or the lease expired)',
  ],
  SELF_APPROVAL: [403, 'the officer who requested an action cannot approve it'],
  PAYLOAD_TOO_LARGE: [413, 'the body is larger than the route accepts'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'the body is not of a content type the route accepts'],
  ZK_POLICY_UNSUPPORTED: [
    422,
    'the policy has no zero-knowledge form (an allow list, or more than 8 denied countries)',
  ],
  CREDENTIAL_UNUSABLE: [422, 'the credential is revoked or expired, or does not satisfy the policy'],
  INVALID_PRINCIPAL_SIGNATURE: [
    422,
    "the principal's signature does not recover to the principal over the delegation's EIP-712 digest",
  ],
  DELEGATION_UNACCEPTABLE: [
    422,
    'the delegation cannot be countersigned: its times, lifetime or parties do not fit the policy (details.reason)',
  ],
  RATE_LIMITED: [
    429,
    'over the key’s rate, or too many failed authentications from this address; see Retry-After',
  ],
  INTERNAL: [500, 'a bug: the request id finds it in the logs'],
  NOT_READY: [503, 'a dependency of the service is unreachable (details names which)'],
  DATABASE_UNAVAILABLE: [503, 'PostgreSQL is unreachable; nothing was written; retry'],
  SIGNER_UNAVAILABLE: [503, 'the KMS or HSM signer did not sign; nothing was issued; retry'],
  CHAIN_UNAVAILABLE: [
    503,
    'the chain is unreachable or a transaction was not mined in time; retry finishes the job',
  ],
  IDENTITY_PROVIDER_UNAVAILABLE: [
    503,
    "the regulator's identity provider cannot be reached to check the token",
  ],
  PROVER_BUSY: [503, 'every prover is busy, or the proof took too long; retry'],
  BUSY: [503, 'too much work is already waiting; retry'],
  PAUSED: [503, 'the emergency stop is on: no attestation or credential is issued until it is lifted'],
  ISSUANCE_TREE_FULL: [503, 'the credential issuance tree has no free leaf'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

/** The HTTP status of `code`. */
export function statusOf(code: ErrorCode): number {
  return ERRORS[code][0];
}

/** Every error answer: `{ error: { code, message, details? }, requestId }`. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.unknown().optional(),
    }),
    requestId: z.string(),
  })
  .meta({ id: 'Error', description: 'Every error: a machine-readable code, a message, optional details.' });

export type ErrorBody = z.infer<typeof errorBody>;
