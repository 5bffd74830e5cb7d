// The holder's calls to Custos: public parameters, credential issuance (through a dApp key) and the two Merkle
// paths, assembled into the ProofRequest that proveCredential takes. Browser-safe: fetch only.
import type { CredentialPath, IssuedCredential, RevocationPath } from '../credentials/index.js';
import { scopeOf, type ZkPolicy } from '../zk/credential.js';
import { proofRequestFrom, type ProofRequest } from '../zk/witness.js';
import type { CircuitArtifacts, HolderIdentity } from './holder.js';

/** A policy as `GET /v1/zk` describes it. */
export interface ZkPolicyParameters {
  name: string;
  policyId: string;
  supported: boolean;
  unsupported?: string;
  policyTag?: string;
  minAge?: number;
  requireAccredited?: boolean;
  maxRiskTier?: number;
  deniedCountries?: number[];
  policyHash?: string;
}

export interface ZkParameters {
  chainId: number;
  gatekeeper: string;
  revocationRegistry: string;
  policies: ZkPolicyParameters[];
  circuit: {
    constraints: number;
    wasm: string;
    zkey: string;
    verificationKey: string;
    sha256: Record<string, string>;
  };
}

/** An error answer from Custos: its HTTP status, machine-readable code and message. */
export class CustosApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'CustosApiError';
  }
}

export interface ProofContext {
  /** Who the proof makes compliant: the caller of the gated action. */
  recipient: string;
  /** The contract that spends the proof and its context; default the gatekeeper and the policy id (submitProof, mintWithProof). */
  consumer?: string;
  context?: string;
  /** Unix seconds; default now. The gatekeeper accepts it for an hour. */
  timestamp?: number;
}

export class CustosHolderClient {
  private parameters?: Promise<ZkParameters>;

  /** `apiKey` is a dApp key, needed only to request credentials (a holder's browser usually goes through its dApp). */
  constructor(private readonly options: { url: string; apiKey?: string }) {}

  zkParameters(): Promise<ZkParameters> {
    this.parameters ??= this.call<ZkParameters>('GET', '/v1/zk');
    return this.parameters;
  }

  /** Screens `subject` for `policy` and issues a credential to the identity's commitment (never its secret). */
  requestCredential(
    identity: HolderIdentity,
    request: { subject: string; policy: string },
  ): Promise<IssuedCredential> {
    return this.call('POST', '/v1/credentials', {
      ...request,
      identityCommitment: identity.commitment.toString(),
    });
  }

  /** Where the circuit's wasm and proving key are served. */
  async artifacts(): Promise<CircuitArtifacts> {
    const { circuit } = await this.zkParameters();
    return { wasm: `${this.options.url}${circuit.wasm}`, zkey: `${this.options.url}${circuit.zkey}` };
  }

  /** Fetches the paths and parameters and builds the request to prove `credential` for `proof.recipient`. */
  async proofRequest(credential: IssuedCredential, proof: ProofContext): Promise<ProofRequest> {
    const parameters = await this.zkParameters();
    const policy = parameters.policies.find((p) => p.name === credential.policy);
    if (!policy?.supported) throw new Error(`policy ${credential.policy} has no zero-knowledge form here`);
    const [issuance, revocation] = await Promise.all([
      this.call<CredentialPath>('GET', `/v1/credentials/${credential.credentialId}/issuance-path`),
      this.call<RevocationPath>('GET', `/v1/credentials/${credential.credentialId}/revocation-path`),
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

  private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.options.url}${route}`, {
      method,
      headers: {
        ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T & { error?: { code: string; message: string } };
    if (!response.ok) {
      throw new CustosApiError(response.status, json.error?.code ?? 'HTTP_ERROR', json.error?.message ?? '');
    }
    return json;
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
