// The holder's calls to Custos: public parameters, credential issuance (through a dApp key) and the two Merkle
// paths, assembled into the ProofRequest that proveCredential takes. Browser-safe: fetch only.
import type {
  issuedCredential,
  zkParameters as zkParametersSchema,
  zkPolicyParameters,
} from '../api/index.js';
import type { z } from 'zod';
import { CustosClient, type CustosClientOptions } from '../client.js';
import { scopeOf, type ZkPolicy } from '../zk/credential.js';
import { proofRequestFrom, type ProofRequest } from '../zk/witness.js';
import type { CircuitArtifacts, HolderIdentity } from './prove.js';

export type ZkParameters = z.output<typeof zkParametersSchema>;
export type ZkPolicyParameters = z.output<typeof zkPolicyParameters>;
export type IssuedCredential = z.output<typeof issuedCredential>;

export interface ProofContext {
  /** Who the proof makes compliant: the caller of the gated action. */
  recipient: string;
  /** The contract that spends the proof and its context; default the gatekeeper and the policy id (submitProof, mintWithProof). */
  consumer?: string;
  context?: string;
  /** Unix seconds; default now. The gatekeeper accepts it for an hour. */
  timestamp?: number;
}

/** A holder's view of Custos: parameters, its credential, its paths, and the request to prove with. */
export class CustosHolderClient {
  private readonly client: CustosClient;
  private parameters?: Promise<ZkParameters>;

  /** `apiKey` is a dApp key, needed only to request credentials (a holder's browser usually goes through its dApp). */
  constructor(private readonly options: CustosClientOptions) {
    this.client = new CustosClient(options);
  }

  zkParameters(): Promise<ZkParameters> {
    this.parameters ??= this.client.call('zkParameters');
    return this.parameters;
  }

  /** Screens `subject` for `policy` and issues a credential to the identity's commitment (never its secret). */
  requestCredential(
    identity: HolderIdentity,
    request: { subject: string; policy: string },
  ): Promise<IssuedCredential> {
    return this.client.call('issueCredential', {
      body: { ...request, identityCommitment: identity.commitment.toString() },
    });
  }

  /** Where the circuit's wasm and proving key are served (proveCredential fetches them, in Node and browsers). */
  async artifacts(): Promise<CircuitArtifacts> {
    const { circuit } = await this.zkParameters();
    const base = this.options.url.replace(/\/$/, '');
    return { wasm: `${base}${circuit.wasm}`, zkey: `${base}${circuit.zkey}` };
  }

  /** Fetches the paths and parameters and builds the request to prove `credential` for `proof.recipient`. */
  async proofRequest(credential: IssuedCredential, proof: ProofContext): Promise<ProofRequest> {
    const parameters = await this.zkParameters();
    const policy = parameters.policies.find((p) => p.name === credential.policy);
    if (!policy?.supported) throw new Error(`policy ${credential.policy} has no zero-knowledge form here`);
    const params = { id: credential.credentialId };
    const [issuance, revocation] = await Promise.all([
      this.client.call('issuancePath', { params }),
      this.client.call('revocationPath', { params }),
    ]);
    const timestamp = proof.timestamp ?? Math.floor(Date.now() / 1000);
    return proofRequestFrom({
      credential: credential.credential,
      policy: zkPolicyOf(policy),
      issuance,
      revocation,
      timestamp,
      scope: scopeOf(
        parameters.chainId,
        proof.consumer ?? parameters.gatekeeper,
        proof.context ?? policy.policyId,
        timestamp,
      ),
      recipient: proof.recipient,
    });
  }
}

function zkPolicyOf(p: ZkPolicyParameters): ZkPolicy {
  return {
    policyTag: BigInt(p.policyTag!),
    minAge: p.minAge!,
    requireAccredited: p.requireAccredited!,
    maxRiskTier: p.maxRiskTier!,
    deniedCountries: p.deniedCountries!,
  };
}
