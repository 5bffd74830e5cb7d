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

/** Where the circuit's wasm and proving key are: http(s) URLs, file paths (Node), or their bytes. */
export interface CircuitArtifacts {
  wasm: string | Uint8Array;
  zkey: string | Uint8Array;
}

export interface ProveOptions {
  /**
   * Keep snarkjs's proving threads for the next proof. By default they are released after each proof in Node, so a
   * script that proves once exits on its own; a server proving many keeps them (and calls releaseProver on exit).
   */
  keepProverAlive?: boolean;
}

/** URLs are fetched (snarkjs reads a string as a file path in Node); paths and bytes are passed as they are. */
async function load(artifact: string | Uint8Array): Promise<string | Uint8Array> {
  if (typeof artifact !== 'string' || !/^https?:\/\//.test(artifact)) return artifact;
  const response = await fetch(artifact);
  if (!response.ok) throw new Error(`cannot fetch ${artifact}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Ends snarkjs's worker threads (they keep a Node process alive); the next proof starts them again. */
export async function releaseProver(): Promise<void> {
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128;
  if (!curve) return;
  delete (globalThis as { curve_bn128?: unknown }).curve_bn128;
  await curve.terminate();
}

/**
 * Proofs in this process run one at a time: snarkjs keeps one curve (with its worker threads, which already use every
 * core) in a global, and two proofs starting together would each build one, leaving a stray set of threads that keeps
 * Node from exiting. `waiting` counts the proofs queued or running, so the last one releases the curve.
 */
let queue: Promise<unknown> = Promise.resolve();
let waiting = 0;

/**
 * Proves `request` for `identity` and returns the arguments for `submitProof`, `mintWithProof` or
 * `executeWithProof`. Throws if the witness breaks a rule (revoked, expired, under age, ...): nothing to submit.
 */
export function proveCredential(
  identity: HolderIdentity,
  request: ProofRequest,
  artifacts: CircuitArtifacts,
  options: ProveOptions = {},
): Promise<ContractProof> {
  waiting++;
  const proved = queue.then(() => proveNow(identity, request, artifacts, options));
  queue = proved.catch(() => undefined);
  return proved;
}

async function proveNow(
  identity: HolderIdentity,
  request: ProofRequest,
  artifacts: CircuitArtifacts,
  options: ProveOptions,
): Promise<ContractProof> {
  try {
    const [wasm, zkey] = await Promise.all([load(artifacts.wasm), load(artifacts.zkey)]);
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(
      witnessInput(identity.secret, request),
      wasm,
      zkey,
    );
    return toContractProof(proof, publicSignals);
  } finally {
    const inNode =
      typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
      'string';
    if (--waiting === 0 && inNode && !options.keepProverAlive) await releaseProver();
  }
}
