import {
  ZEROS,
  deniedSlots,
  nullifierOf,
  policyHash,
  ymdOf,
  type Credential,
  type ZkPolicy,
} from './credential.js';

/** Everything a proof needs besides the identity secret: the credential, its paths and the public context. */
export interface ProofRequest {
  credential: Credential;
  policy: ZkPolicy;
  issuanceRoot: bigint;
  issuanceSiblings: bigint[];
  revocationRoot: bigint;
  revocationSiblings: bigint[];
  timestamp: number;
  todayYmd: number;
  scope: bigint;
  recipient: string;
}

/** The circuit's input signals, as decimal strings. */
export function witnessInput(secret: bigint, request: ProofRequest): Record<string, string | string[]> {
  const { credential: c, policy } = request;
  const text = (v: bigint | number) => v.toString();
  return {
    issuanceRoot: text(request.issuanceRoot),
    revocationRoot: text(request.revocationRoot),
    policyHash: text(policyHash(policy)),
    timestamp: text(request.timestamp),
    todayYmd: text(request.todayYmd),
    scope: text(request.scope),
    recipient: text(BigInt(request.recipient)),
    identitySecret: text(secret),
    credentialId: text(c.credentialId),
    expiresAt: text(c.expiresAt),
    country: text(c.country),
    birthYmd: text(c.birthYmd),
    accredited: c.accredited ? '1' : '0',
    riskTier: text(c.riskTier),
    policyTag: text(policy.policyTag),
    minAge: text(policy.minAge),
    requireAccredited: policy.requireAccredited ? '1' : '0',
    maxRiskTier: text(policy.maxRiskTier),
    deniedCountries: deniedSlots(policy).map(text),
    issuanceSiblings: request.issuanceSiblings.map(text),
    revocationSiblings: request.revocationSiblings.map(text),
  };
}

/** The public signals in the circuit's order: the nullifier (output) first, then the public inputs. */
export function expectedPublicSignals(secret: bigint, request: ProofRequest): bigint[] {
  return [
    nullifierOf(secret, request.scope),
    request.issuanceRoot,
    request.revocationRoot,
    policyHash(request.policy),
    BigInt(request.timestamp),
    BigInt(request.todayYmd),
    request.scope,
    BigInt(request.recipient),
  ];
}

export const EMPTY_TREE_ROOT = ZEROS[ZEROS.length - 1]!;

/** A credential as the API carries it: bigints as decimal strings. */
export interface CredentialJson {
  credentialId: number;
  identityCommitment: string;
  policyTag: string;
  expiresAt: number;
  country: number;
  birthYmd: number;
  accredited: boolean;
  riskTier: number;
}

/** A Merkle path as the API carries it: the root and the siblings bottom-up, decimal. */
export interface PathJson {
  root: string;
  siblings: string[];
}

/** The request to prove `credential` with its two paths from the API, at `timestamp`, for `scope` and `recipient`. */
export function proofRequestFrom(parts: {
  credential: CredentialJson;
  policy: ZkPolicy;
  issuance: PathJson;
  revocation: PathJson;
  timestamp: number;
  scope: bigint;
  recipient: string;
}): ProofRequest {
  const { credential: c, issuance, revocation, timestamp } = parts;
  return {
    credential: { ...c, identityCommitment: BigInt(c.identityCommitment), policyTag: BigInt(c.policyTag) },
    policy: parts.policy,
    issuanceRoot: BigInt(issuance.root),
    issuanceSiblings: issuance.siblings.map(BigInt),
    revocationRoot: BigInt(revocation.root),
    revocationSiblings: revocation.siblings.map(BigInt),
    timestamp,
    todayYmd: ymdOf(timestamp),
    scope: parts.scope,
    recipient: parts.recipient,
  };
}
