import { policyIdOf } from '../chain/index.js';
import type { GroupCommit } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';
import {
  ProverBusyError,
  ProverTimeoutError,
  WitnessRejectedError,
  identityCommitment,
  proofRequestFrom,
  scopeOf,
  toContractProof,
  witnessInput,
  type ContractProof,
  type ProverPool,
} from '../zk/index.js';
import { policyNamed, type IssuanceEntry } from '../attest/index.js';
import type { Policy } from '../screening/index.js';
import type { CredentialService } from './credentialService.js';
import type { CredentialPaths } from './paths.js';
import { zkPolicyOf } from './zkPolicy.js';

/** The gatekeeper accepts a proof up to this long after its timestamp (ZkCredentials.PROOF_MAX_AGE). */
const PROOF_MAX_AGE_SECONDS = 3600;

export interface ZkAttestRequest {
  tenantId: string;
  actor: string;
  subject: string;
  policy: string;
  /** The holder's identity secret, held for them by a custodial dApp. Used for this proof and never stored. */
  identitySecret: bigint;
  /** Who the proof makes compliant (the caller of the gated action); default: the subject. */
  recipient?: string;
  /**
   * The contract that will spend the proof and its context: by default the gatekeeper and the policy id, the scope
   * of `submitProof` and `CompliantToken.mintWithProof`; for `AgentRegistry.executeWithProof`, the registry and the
   * agent id as bytes32.
   */
  consumer?: string;
  context?: string;
}

export interface ZkAttestation {
  uid: string;
  format: 'groth16';
  policy: string;
  policyId: string;
  subject: string;
  recipient: string;
  /** The proof's timestamp. */
  issuedAt: number;
  /** The gatekeeper refuses the proof after this. */
  expiresAt: number;
  credentialId: number;
  credentialExpiresAt: number;
  scope: { consumer: string; context: string; value: string };
  /** The proof argument of submitProof, mintWithProof, executeWithProof and consumeProof. */
  proof: ContractProof;
  /** The circuit's public signals in order (nullifier, issuanceRoot, revocationRoot, policyHash, ...). */
  publicSignals: string[];
}

export interface ZkAttestationServiceOptions {
  /** The issuance log the EIP-712 path writes too: the proof is returned once its audit event is committed. */
  log: GroupCommit<IssuanceEntry>;
  policies: Map<string, Policy>;
  credentials: CredentialService;
  paths: CredentialPaths;
  prover: ProverPool;
  chainId: number;
  gatekeeper: string;
  now?: () => Date;
}

/**
 * Custodial zero-knowledge attestations: screening and a credential for the holder's commitment (reused while it
 * is fresh), its two paths, then a Groth16 proof made on the prover pool, bound to the recipient and the spending
 * contract's scope. The proof is returned only after its audit event commits.
 */
export class ZkAttestationService {
  private readonly now: () => Date;

  constructor(private readonly options: ZkAttestationServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async attest(request: ZkAttestRequest): Promise<ZkAttestation> {
    const policy = policyNamed(this.options.policies, request.policy);
    const zkPolicy = zkPolicyOf(policy);
    const issued = await this.options.credentials.issue({
      ...request,
      identityCommitment: identityCommitment(request.identitySecret),
    });
    const timestamp = Math.floor(this.now().getTime() / 1000);
    if (issued.expiresAt <= timestamp) {
      throw new CustosError('CREDENTIAL_UNUSABLE', `credential ${issued.credentialId} has expired`);
    }
    const [issuance, revocation] = await Promise.all([
      this.options.paths.issuance(issued.credentialId),
      this.options.paths.revocation(issued.credentialId),
    ]);
    const policyId = policyIdOf(policy.name);
    const consumer = request.consumer ?? this.options.gatekeeper;
    const context = request.context ?? policyId;
    const recipient = request.recipient ?? request.subject;
    const scope = scopeOf(this.options.chainId, consumer, context, timestamp);
    const input = witnessInput(
      request.identitySecret,
      proofRequestFrom({
        credential: issued.credential,
        policy: zkPolicy,
        issuance,
        revocation,
        timestamp,
        scope,
        recipient,
      }),
    );
    const { proof, publicSignals } = await this.prove(input);
    const attestation: ZkAttestation = {
      uid: issued.uid,
      format: 'groth16',
      policy: policy.name,
      policyId,
      subject: request.subject,
      recipient,
      issuedAt: timestamp,
      expiresAt: timestamp + PROOF_MAX_AGE_SECONDS,
      credentialId: issued.credentialId,
      credentialExpiresAt: issued.expiresAt,
      scope: { consumer, context, value: scope.toString() },
      proof: toContractProof(proof, publicSignals),
      publicSignals: publicSignals as string[],
    };
    await withDatabase(() =>
      this.options.log.add({
        audit: {
          type: 'attestation.issued',
          actor: request.actor,
          tenantId: request.tenantId,
          subject: request.subject,
          attestationUid: issued.uid,
          payload: {
            policy: policy.name,
            format: 'groth16',
            credentialId: issued.credentialId,
            recipient,
            nullifier: attestation.proof.nullifier,
            scope: attestation.scope,
            issuanceRoot: issuance.root,
            revocationEpoch: revocation.epoch,
            issuedAt: timestamp,
          },
        },
      }),
    );
    return attestation;
  }

  private async prove(input: Record<string, string | string[]>) {
    try {
      return await this.options.prover.prove(input);
    } catch (error) {
      if (error instanceof ProverBusyError || error instanceof ProverTimeoutError) {
        throw new CustosError('PROVER_BUSY', `${error.message}; retry shortly`, undefined, { cause: error });
      }
      if (error instanceof WitnessRejectedError) {
        throw new CustosError(
          'CREDENTIAL_UNUSABLE',
          'the credential does not satisfy the policy for this proof (the identity secret may not match it)',
          undefined,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
