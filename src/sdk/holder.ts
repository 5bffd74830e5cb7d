// The holder's side of a zero-knowledge credential, for Node and browsers (no Node built-ins): make an identity
// whose secret never leaves the holder, and prove a credential locally with the published circuit artifacts.
import * as snarkjs from 'snarkjs';
import { identityCommitment } from '../zk/credential.js';
import { toContractProof, type ContractProof } from '../zk/contractProof.js';
import { witnessInput, type ProofRequest } from '../zk/witness.js';

export interface HolderIdentity {
  /** Never sent anywhere: whoever knows it can prove as the holder. */
  secret: bigint;
  /** Poseidon(secret): what the holder sends to Custos to have a credential issued. */
  commitment: bigint;
}

/** A fresh identity: 31 random bytes (248 bits, below the field modulus, so uniform with no reduction). */
export function createIdentity(): HolderIdentity {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(31));
  const secret = BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`);
  return { secret, commitment: identityCommitment(secret) };
}

/** The identity for a secret the holder kept (a backup, a wallet-derived value). */
export function restoreIdentity(secret: bigint): HolderIdentity {
  return { secret, commitment: identityCommitment(secret) };
}

/** Where the circuit's wasm and proving key are: URLs or paths, or their bytes. */
export interface CircuitArtifacts {
  wasm: string | Uint8Array;
  zkey: string | Uint8Array;
}

/**
 * Proves `request` for `identity` and returns the arguments for `submitProof`, `mintWithProof` or
 * `executeWithProof`. Throws if the witness breaks a rule (revoked, expired, under age, ...): nothing to submit.
 */
export async function proveCredential(
  identity: HolderIdentity,
  request: ProofRequest,
  artifacts: CircuitArtifacts,
): Promise<ContractProof> {
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(
    witnessInput(identity.secret, request),
    artifacts.wasm,
    artifacts.zkey,
  );
  return toContractProof(proof, publicSignals);
}
