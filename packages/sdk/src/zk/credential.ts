// The credential's arithmetic, shared by the service, the holder SDK (Node and browser) and the tests: exactly what
// circuits/credential.circom computes. Poseidon is poseidon-lite (circomlib's constants, no dependencies).
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { poseidon1, poseidon2, poseidon8, poseidon12 } from 'poseidon-lite';
import { SNARK_FIELD } from '../api/primitives.js';

export { SNARK_FIELD };
/** Depth of the issuance and revocation trees: 2^20 credentials. */
export const TREE_LEVELS = 20;
/** Denied-country slots in a policy (unused ones are 0). */
export const DENIED_SLOTS = 8;
/** Nullifier scopes change once a day: one use per credential, contract, context and day. */
export const SCOPE_EPOCH_SECONDS = 86_400;

/** What screening established about the holder, as the circuit sees it. */
export interface CredentialAttributes {
  country: number; // ISO 3166-1 numeric
  birthYmd: number; // YYYYMMDD
  accredited: boolean;
  riskTier: number; // 0..255
}

export interface Credential extends CredentialAttributes {
  credentialId: number;
  identityCommitment: bigint;
  policyTag: bigint;
  expiresAt: number; // unix seconds
}

/** A policy's zero-knowledge parameters; their Poseidon hash is what the gatekeeper holds for the policy id. */
export interface ZkPolicy {
  policyTag: bigint;
  minAge: number;
  requireAccredited: boolean;
  maxRiskTier: number;
  deniedCountries: number[]; // ISO 3166-1 numeric, at most DENIED_SLOTS
}

/** A policy id (keccak256 of its name) shortened to 248 bits so it is a field element. */
export function policyTagOf(policyId: string): bigint {
  return BigInt(policyId) >> 8n;
}

export function identityCommitment(secret: bigint): bigint {
  return poseidon1([secret]);
}

export function credentialLeaf(c: Credential): bigint {
  return poseidon8([
    c.identityCommitment,
    BigInt(c.credentialId),
    c.policyTag,
    BigInt(c.expiresAt),
    BigInt(c.country),
    BigInt(c.birthYmd),
    c.accredited ? 1n : 0n,
    BigInt(c.riskTier),
  ]);
}

export function deniedSlots(policy: ZkPolicy): bigint[] {
  if (policy.deniedCountries.length > DENIED_SLOTS) {
    throw new Error(`a zero-knowledge policy denies at most ${DENIED_SLOTS} countries`);
  }
  return Array.from({ length: DENIED_SLOTS }, (_, i) => BigInt(policy.deniedCountries[i] ?? 0));
}

export function policyHash(policy: ZkPolicy): bigint {
  return poseidon12([
    policy.policyTag,
    BigInt(policy.minAge),
    policy.requireAccredited ? 1n : 0n,
    BigInt(policy.maxRiskTier),
    ...deniedSlots(policy),
  ]);
}

export function nullifierOf(secret: bigint, scope: bigint): bigint {
  return poseidon2([secret, scope]);
}

/**
 * The scope a gatekeeper computes for a proof used by `contract` (the gatekeeper itself for `submitProof`, or the
 * calling token or agent registry) with `context`, in the day of `timestamp`: keccak256 of the ABI encoding,
 * reduced into the field. The contract computes the same; a proof for another scope fails.
 */
export function scopeOf(
  chainId: number | bigint,
  contract: string,
  context: string,
  timestamp: number,
): bigint {
  // abi.encode of (uint256, address, bytes32, uint256): four 32-byte words, each left-padded.
  const word = (value: bigint) => value.toString(16).padStart(64, '0');
  const encoded = [
    word(BigInt(chainId)),
    word(BigInt(contract)),
    word(BigInt(context)),
    word(BigInt(Math.floor(timestamp / SCOPE_EPOCH_SECONDS))),
  ].join('');
  return BigInt(`0x${bytesToHex(keccak_256(hexToBytes(encoded)))}`) % SNARK_FIELD;
}

/** The UTC calendar date of a unix time as YYYYMMDD. */
export function ymdOf(unixSeconds: number): number {
  const d = new Date(unixSeconds * 1000);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** Empty-subtree roots: zeros[0] = 0 (an empty leaf), zeros[i + 1] = Poseidon(zeros[i], zeros[i]). */
export const ZEROS: readonly bigint[] = (() => {
  const zeros = [0n];
  for (let i = 0; i < TREE_LEVELS; i++) zeros.push(poseidon2([zeros[i]!, zeros[i]!]));
  return zeros;
})();

/** The root reached from `leaf` at `index` with `siblings` (bottom-up), as the circuit computes it. */
export function rootFromPath(leaf: bigint, index: number, siblings: bigint[]): bigint {
  let node = leaf;
  siblings.forEach((sibling, level) => {
    node = ((index >> level) & 1) === 0 ? poseidon2([node, sibling]) : poseidon2([sibling, node]);
  });
  return node;
}

export const hashPair = (left: bigint, right: bigint): bigint => poseidon2([left, right]);
