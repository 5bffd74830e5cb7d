import type { ExecutionRefusal } from '@custos/sdk/api';
import { Contract, type JsonRpcProvider } from 'ethers';
import { custosContract, policyIdOf, type ContractAbi, type CustosContract } from '../chain/index.js';
import { CustosError } from '../errors/index.js';
import { screenSubject, type Policy } from '../screening/index.js';
import type { AgentConfig, Database } from '../db/index.js';

export interface Refusal {
  code: ExecutionRefusal;
  reason: string;
  /** Screening's reason codes, for SCREENING_FAILED. */
  reasons?: string[];
}

/** What a check needs to know about an execution request. */
export interface ExecutionRequest {
  agentId: string;
  caller: string;
  /** The attestation the chain indexer tied the request to (the caller's compliance record), if any. */
  attestationUid: string | null;
}

const ERC20_BALANCE = ['function balanceOf(address owner) view returns (uint256)'];

/**
 * The checks an execution request must pass, at pickup and again when an executor claims it: the agent still active
 * on-chain, the caller still passing screening for the agent's policy in the owner tenant (KYC, lists, holds: the
 * same screening attestations get), its attestation not revoked and its gatekeeper record still valid, and the
 * agent's access rule. Chain reads that fail for lack of a node are CHAIN_UNAVAILABLE: the request is decided later,
 * never refused for an outage.
 */
export class CallerChecks {
  private readonly registry: CustosContract<ContractAbi<'AgentRegistry'>>;
  private readonly gatekeeper: CustosContract<ContractAbi<'ComplianceGatekeeper'>>;

  constructor(
    private readonly deps: {
      db: Database;
      provider: JsonRpcProvider;
      contracts: { AgentRegistry: string; ComplianceGatekeeper: string };
      policies: Map<string, Policy>;
    },
  ) {
    this.registry = custosContract('AgentRegistry', deps.contracts.AgentRegistry, deps.provider);
    this.gatekeeper = custosContract(
      'ComplianceGatekeeper',
      deps.contracts.ComplianceGatekeeper,
      deps.provider,
    );
  }

  /** Why `request` may not run now (quotas aside), or null when it may. */
  async refusal(request: ExecutionRequest, config: AgentConfig, now = new Date()): Promise<Refusal | null> {
    const agent = await this.agent(request.agentId);
    if (!agent?.active) return { code: 'AGENT_INACTIVE', reason: `agent ${request.agentId} is not active` };
    const policy = [...this.deps.policies.values()].find((p) => policyIdOf(p.name) === agent.policyId);
    if (!policy) {
      return {
        code: 'UNKNOWN_POLICY',
        reason: `agent policy ${agent.policyId} is not screened by this service`,
      };
    }
    const screening = await screenSubject(
      this.deps.db,
      policy,
      { subject: request.caller, tenantId: config.tenantId },
      now,
    );
    if (!screening.passed) {
      return {
        code: 'SCREENING_FAILED',
        reason: `the caller does not satisfy policy ${policy.name}`,
        reasons: screening.reasons.map((r) => r.code),
      };
    }
    const compliance = await this.compliance(request, agent.policyId);
    if (compliance) return compliance;
    return this.access(request.caller, agent.owner, config);
  }

  /**
   * What authorised the request, still standing: not revoked here, and the record behind it still valid on the
   * gatekeeper (the caller's, or a delegate's principal's). An action attestation was spent by the call itself and
   * leaves no record; a proof was checked on-chain, once.
   */
  private async compliance(request: ExecutionRequest, policyId: string): Promise<Refusal | null> {
    if (!request.attestationUid) return null;
    const attestation = await this.deps.db.attestation.findUnique({
      where: { uid: request.attestationUid },
      select: { status: true, actionTarget: true },
    });
    if (attestation?.status === 'revoked') {
      return { code: 'ATTESTATION_REVOKED', reason: `attestation ${request.attestationUid} was revoked` };
    }
    if (attestation?.actionTarget) return null;
    const compliant = await onChain(() => this.gatekeeper.read.isCompliant(request.caller, policyId));
    return compliant
      ? null
      : { code: 'COMPLIANCE_ENDED', reason: "the caller's gatekeeper record expired or was revoked" };
  }

  private async access(caller: string, owner: string, config: AgentConfig): Promise<Refusal | null> {
    if (config.access === 'owner' && caller.toLowerCase() !== owner.toLowerCase()) {
      return { code: 'ACCESS_DENIED', reason: "only the agent's owner may execute it" };
    }
    if (config.access === 'token') {
      const needed = BigInt(config.accessMinBalance ?? '1');
      const balance = await this.balance(config.accessToken!, caller);
      if (balance === null || balance < needed) {
        return {
          code: 'ACCESS_DENIED',
          reason: `the caller holds less than ${needed} of ${config.accessToken} (base units)`,
        };
      }
    }
    return null;
  }

  /** The registry's agent; null when it was never registered (the registry reverts AgentNotFound). */
  private async agent(agentId: string) {
    try {
      return await this.registry.read.getAgent(BigInt(agentId));
    } catch (error) {
      if (isRevert(error)) return null;
      throw unavailable(error);
    }
  }

  /** An ERC-20 balance; null when the address does not answer as an ERC-20 (fail closed: no access). */
  private async balance(token: string, holder: string): Promise<bigint | null> {
    try {
      return (await new Contract(token, ERC20_BALANCE, this.deps.provider).getFunction('balanceOf')(
        holder,
      )) as bigint;
    } catch (error) {
      if (isRevert(error) || (error as { code?: string }).code === 'BAD_DATA') return null;
      throw unavailable(error);
    }
  }
}

function isRevert(error: unknown): boolean {
  return (error as { code?: string }).code === 'CALL_EXCEPTION';
}

function unavailable(error: unknown): CustosError {
  return new CustosError(
    'CHAIN_UNAVAILABLE',
    'the chain could not be read to check the execution',
    undefined,
    {
      cause: error,
    },
  );
}

async function onChain<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw unavailable(error);
  }
}
