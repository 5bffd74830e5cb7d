import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  encodeErrorResult,
  http,
  zeroAddress,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import {
  complianceGatekeeperAbi,
  complianceGatekeeperBytecode,
  custosErrorsAbi,
  deployedContracts,
  revocationRegistryAbi,
  revocationRegistryBytecode,
} from '@custos/contracts';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil, type AnvilHandle } from '../../src/chain/index.js';

describe('@custos/contracts with viem, against anvil', () => {
  let anvil: AnvilHandle;
  const account = privateKeyToAccount(ANVIL_DEFAULT_PRIVATE_KEY);

  before(async () => {
    anvil = await startAnvil();
  });
  after(async () => {
    await anvil?.stop();
  });

  it('deploys from the committed bytecode and reads and reverts through the typed ABIs', async () => {
    const transport = http(anvil.rpcUrl);
    const wallet = createWalletClient({ account, chain: foundry, transport });
    const client = createPublicClient({ chain: foundry, transport });
    const deploy = async (hash: Hex) => (await client.waitForTransactionReceipt({ hash })).contractAddress!;

    const registry = await deploy(
      await wallet.deployContract({
        abi: revocationRegistryAbi,
        bytecode: revocationRegistryBytecode,
        args: [account.address],
      }),
    );
    const gatekeeper = await deploy(
      await wallet.deployContract({
        abi: complianceGatekeeperAbi,
        bytecode: complianceGatekeeperBytecode,
        args: [account.address, registry],
      }),
    );
    const enabled: boolean = await client.readContract({
      address: gatekeeper,
      abi: complianceGatekeeperAbi,
      functionName: 'isPolicyEnabled',
      args: ['0x'.padEnd(66, '1') as Hex],
    });
    assert.equal(enabled, false);

    const attestation = {
      uid: `0x${'01'.repeat(32)}`,
      subject: zeroAddress,
      policyId: `0x${'02'.repeat(32)}`,
      issuedAt: 1n,
      expiresAt: 2n,
    } as const;
    const refused = await client
      .simulateContract({
        account,
        address: gatekeeper,
        abi: complianceGatekeeperAbi,
        functionName: 'submitAttestation',
        args: [attestation, '0x'],
      })
      .catch((error: BaseError) => error);
    const reverted = (refused as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
    assert.ok(reverted instanceof ContractFunctionRevertedError, String(refused));
    assert.equal(reverted.data?.errorName, 'AttestationZeroSubject');
  });

  it("decodes any Custos contract's error with custosErrorsAbi (e.g. one that surfaced through a dApp's contract)", () => {
    const data = encodeErrorResult({
      abi: custosErrorsAbi,
      errorName: 'StaleEpoch',
      args: [3n, 4n],
    });
    const decoded = decodeErrorResult({ abi: custosErrorsAbi, data });
    assert.equal(decoded.errorName, 'StaleEpoch');
    assert.deepEqual(decoded.args, [3n, 4n]);
  });

  it('lists the contracts the service deploys, each with an ABI and bytecode', () => {
    assert.deepEqual(Object.keys(deployedContracts), [
      'RevocationRegistry',
      'ComplianceGatekeeper',
      'CompliantToken',
      'AgentRegistry',
      'AuditAnchor',
      'CredentialVerifier',
    ]);
    for (const { abi, bytecode } of Object.values(deployedContracts)) {
      assert.ok(abi.length > 0);
      assert.match(bytecode, /^0x[0-9a-f]+$/);
    }
  });
});

/** Compile-time checks (`npm run typecheck`): viem infers from the ABIs; each line must be a type error. Never called. */
export async function viemInfersFromTheAbis(): Promise<void> {
  const client = createPublicClient({ chain: foundry, transport: http() });
  const read = { address: zeroAddress, abi: complianceGatekeeperAbi } as const;
  // @ts-expect-error a function the gatekeeper does not have
  await client.readContract({ ...read, functionName: 'isCompliantWith', args: [zeroAddress, zeroAddress] });
  // @ts-expect-error isCompliant takes an address and a bytes32
  await client.readContract({ ...read, functionName: 'isCompliant', args: [zeroAddress] });
  // @ts-expect-error and returns a boolean
  const expiry: bigint = await client.readContract({ ...read, functionName: 'isCompliant', args: [zeroAddress, '0x'] });
  // @ts-expect-error an error no Custos contract declares
  encodeErrorResult({ abi: custosErrorsAbi, errorName: 'NoSuchError' });
  void expiry;
}
