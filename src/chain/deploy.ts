import { NonceManager, type ContractTransactionResponse, type Signer } from 'ethers';
import { deployContract, type ContractName } from './bindings.js';
import { SIGNER_TRUSTED_WITHOUT_END } from './operator.js';
import { policyIdOf } from './policyId.js';

export interface PolicyDeployment {
  name: string;
  /** Longest attestation lifetime the gatekeeper accepts for this policy, in seconds. */
  maxLifetimeSeconds: number;
  /** Poseidon hash of the policy's zero-knowledge parameters; unset: no proofs for this policy. */
  zkPolicyHash?: bigint;
}

export interface DeployParameters {
  deployer: Signer;
  /** Policies enabled on the gatekeeper. The first one gates the token and is the default for agents. */
  policies: PolicyDeployment[];
  /** Token metadata; the token's policy is `policies[0]`. */
  token?: { name: string; symbol: string };
  /** Custos signing addresses trusted from now on, without end (rotate them with `custos keys rotate`). */
  trustedSigners?: string[];
  /** Holders of the operational roles; default: the deployer. */
  roles?: { signerManager?: string; pauser?: string; publisher?: string; minter?: string; anchorer?: string };
  /** Final DEFAULT_ADMIN_ROLE holder (a multisig in production); the deployer renounces when it differs. */
  admin?: string;
}

export interface Deployment {
  chainId: number;
  deployer: string;
  admin: string;
  blockNumber: number;
  deployedAt: string;
  policies: Record<string, string>;
  contracts: Record<ContractName, string>;
}

/**
 * Deploys and wires RevocationRegistry, ComplianceGatekeeper (with the Groth16 CredentialVerifier set),
 * CompliantToken, AgentRegistry and AuditAnchor.
 */
export async function deployCustos(params: DeployParameters): Promise<Deployment> {
  const [tokenPolicy] = params.policies;
  if (!tokenPolicy) throw new Error('deployCustos: at least one policy is required (it gates the token)');
  const signer = new NonceManager(params.deployer);
  const deployerAddress = await signer.getAddress();
  const admin = params.admin ?? deployerAddress;
  const roles = params.roles ?? {};

  const mined = async (sent: Promise<ContractTransactionResponse>): Promise<void> => {
    await (await sent).wait();
  };

  const registry = await deployContract('RevocationRegistry', signer, deployerAddress);
  const gatekeeper = await deployContract('ComplianceGatekeeper', signer, deployerAddress, registry.address);
  await mined(registry.write.bindGatekeeper(gatekeeper.address));
  const verifier = await deployContract('CredentialVerifier', signer);
  await mined(gatekeeper.write.setCredentialVerifier(verifier.address));

  const policies: Record<string, string> = {};
  for (const policy of params.policies) {
    const policyId = policyIdOf(policy.name);
    policies[policy.name] = policyId;
    await mined(gatekeeper.write.setPolicy(policyId, policy.maxLifetimeSeconds));
    if (policy.zkPolicyHash) await mined(gatekeeper.write.setZkPolicy(policyId, policy.zkPolicyHash));
  }

  const token = await deployContract(
    'CompliantToken',
    signer,
    params.token?.name ?? 'Custos Compliant Token',
    params.token?.symbol ?? 'CCT',
    deployerAddress,
    gatekeeper.address,
    policyIdOf(tokenPolicy.name),
  );
  const agents = await deployContract('AgentRegistry', signer, gatekeeper.address);
  const auditAnchor = await deployContract('AuditAnchor', signer, deployerAddress);

  await mined(
    gatekeeper.write.grantRole(
      await gatekeeper.read.SIGNER_MANAGER_ROLE(),
      roles.signerManager ?? deployerAddress,
    ),
  );
  await mined(
    gatekeeper.write.grantRole(await gatekeeper.read.PAUSER_ROLE(), roles.pauser ?? deployerAddress),
  );
  await mined(
    registry.write.grantRole(await registry.read.PUBLISHER_ROLE(), roles.publisher ?? deployerAddress),
  );
  // The audit log's anchorer is the publisher unless told otherwise: both are the Custos operator.
  await mined(
    auditAnchor.write.grantRole(
      await auditAnchor.read.ANCHORER_ROLE(),
      roles.anchorer ?? roles.publisher ?? deployerAddress,
    ),
  );
  if (roles.minter && roles.minter !== deployerAddress) {
    await mined(token.write.grantRole(await token.read.MINTER_ROLE(), roles.minter));
  }

  if (params.trustedSigners?.length) {
    if (roles.signerManager && roles.signerManager !== deployerAddress) {
      throw new Error('deployCustos: trustedSigners needs the deployer to hold SIGNER_MANAGER_ROLE');
    }
    const now = (await signer.provider!.getBlock('latest'))!.timestamp;
    for (const address of params.trustedSigners) {
      await mined(gatekeeper.write.setSigner(address, now, SIGNER_TRUSTED_WITHOUT_END));
    }
  }

  if (admin !== deployerAddress) {
    for (const contract of [registry, gatekeeper, token, auditAnchor]) {
      const adminRole = await contract.read.DEFAULT_ADMIN_ROLE();
      await mined(contract.write.grantRole(adminRole, admin));
      await mined(contract.write.renounceRole(adminRole, deployerAddress));
    }
  }

  const network = await signer.provider!.getNetwork();
  return {
    chainId: Number(network.chainId),
    deployer: deployerAddress,
    admin,
    blockNumber: await signer.provider!.getBlockNumber(),
    deployedAt: new Date().toISOString(),
    policies,
    contracts: {
      RevocationRegistry: registry.address,
      ComplianceGatekeeper: gatekeeper.address,
      CompliantToken: token.address,
      AgentRegistry: agents.address,
      AuditAnchor: auditAnchor.address,
      CredentialVerifier: verifier.address,
    },
  };
}
