import { ContractFactory, NonceManager, type BaseContract, type Signer } from 'ethers';
import { loadArtifact, type ContractName } from './artifacts.js';
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

  const deploy = async (name: ContractName, ...args: unknown[]): Promise<BaseContract> => {
    const { abi, bytecode } = loadArtifact(name);
    const contract = await new ContractFactory(abi, bytecode, signer).deploy(...args);
    await contract.waitForDeployment();
    return contract;
  };
  const send = async (contract: BaseContract, method: string, ...args: unknown[]): Promise<void> => {
    const tx = await contract.getFunction(method)(...args);
    await tx.wait();
  };

  const registry = await deploy('RevocationRegistry', deployerAddress);
  const gatekeeper = await deploy('ComplianceGatekeeper', deployerAddress, await registry.getAddress());
  await send(registry, 'bindGatekeeper', await gatekeeper.getAddress());
  const verifier = await deploy('CredentialVerifier');
  await send(gatekeeper, 'setCredentialVerifier', await verifier.getAddress());

  const policies: Record<string, string> = {};
  for (const policy of params.policies) {
    policies[policy.name] = policyIdOf(policy.name);
    await send(gatekeeper, 'setPolicy', policies[policy.name], policy.maxLifetimeSeconds);
    if (policy.zkPolicyHash)
      await send(gatekeeper, 'setZkPolicy', policies[policy.name], policy.zkPolicyHash);
  }

  const token = await deploy(
    'CompliantToken',
    params.token?.name ?? 'Custos Compliant Token',
    params.token?.symbol ?? 'CCT',
    deployerAddress,
    await gatekeeper.getAddress(),
    policyIdOf(tokenPolicy.name),
  );
  const agents = await deploy('AgentRegistry', await gatekeeper.getAddress());
  const auditAnchor = await deploy('AuditAnchor', deployerAddress);

  const role = async (contract: BaseContract, name: string) =>
    contract.getFunction(name)() as Promise<string>;
  await send(
    gatekeeper,
    'grantRole',
    await role(gatekeeper, 'SIGNER_MANAGER_ROLE'),
    roles.signerManager ?? deployerAddress,
  );
  await send(gatekeeper, 'grantRole', await role(gatekeeper, 'PAUSER_ROLE'), roles.pauser ?? deployerAddress);
  await send(
    registry,
    'grantRole',
    await role(registry, 'PUBLISHER_ROLE'),
    roles.publisher ?? deployerAddress,
  );
  // The audit log's anchorer is the publisher unless told otherwise: both are the Custos operator.
  await send(
    auditAnchor,
    'grantRole',
    await role(auditAnchor, 'ANCHORER_ROLE'),
    roles.anchorer ?? roles.publisher ?? deployerAddress,
  );
  if (roles.minter && roles.minter !== deployerAddress) {
    await send(token, 'grantRole', await role(token, 'MINTER_ROLE'), roles.minter);
  }

  if (params.trustedSigners?.length) {
    if (roles.signerManager && roles.signerManager !== deployerAddress) {
      throw new Error('deployCustos: trustedSigners needs the deployer to hold SIGNER_MANAGER_ROLE');
    }
    const now = (await signer.provider!.getBlock('latest'))!.timestamp;
    for (const address of params.trustedSigners) {
      await send(gatekeeper, 'setSigner', address, now, 2n ** 64n - 1n);
    }
  }

  if (admin !== deployerAddress) {
    for (const contract of [registry, gatekeeper, token, auditAnchor]) {
      await send(contract, 'grantRole', await role(contract, 'DEFAULT_ADMIN_ROLE'), admin);
      await send(contract, 'renounceRole', await role(contract, 'DEFAULT_ADMIN_ROLE'), deployerAddress);
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
      RevocationRegistry: await registry.getAddress(),
      ComplianceGatekeeper: await gatekeeper.getAddress(),
      CompliantToken: await token.getAddress(),
      AgentRegistry: await agents.getAddress(),
      AuditAnchor: await auditAnchor.getAddress(),
      CredentialVerifier: await verifier.getAddress(),
    },
  };
}
