import assert from 'node:assert/strict';
import { Contract, JsonRpcProvider, NonceManager, Wallet, id, type TransactionReceipt } from 'ethers';
import { deployContract, loadArtifact, policyIdOf } from '../../src/chain/index.js';
import { ANVIL_SECOND_PRIVATE_KEY, approveSubject } from './fixtures.js';
import type { TestService } from './service.js';

export type Caller = ReturnType<typeof Wallet.createRandom>;

/**
 * Agents on a test service's chain: a relayer (anvil's second account) registers them and funds callers; callers get
 * approved KYC and a kyc-basic attestation recorded on the gatekeeper, then call AgentRegistry.execute themselves.
 */
export function agentChain(t: TestService, dappKey: string) {
  const provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
  const relayer = new NonceManager(new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider));
  const registry = new Contract(
    t.service.chain.contracts.AgentRegistry!,
    loadArtifact('AgentRegistry').abi,
    relayer,
  );
  const gatekeeper = new Contract(
    t.service.chain.contracts.ComplianceGatekeeper,
    loadArtifact('ComplianceGatekeeper').abi,
    relayer,
  );

  return {
    provider,
    registry,

    /** Registers a kyc-basic agent owned by the relayer; its id. */
    async registerAgent(): Promise<string> {
      await (await registry.getFunction('registerAgent')(id('an agent'), policyIdOf('kyc-basic'))).wait();
      return String(await registry.getFunction('agentCount')());
    },

    /** A fresh kyc-basic CompliantToken the relayer mints (an agent's access token). */
    async deployToken() {
      const address = await relayer.getAddress();
      return deployContract(
        'CompliantToken',
        relayer,
        'Agent Pass',
        'PASS',
        address,
        t.service.chain.contracts.ComplianceGatekeeper,
        policyIdOf('kyc-basic'),
      );
    },

    /** A funded caller with approved KYC and a kyc-basic attestation recorded on the gatekeeper. */
    async compliantCaller(): Promise<Caller> {
      const caller = Wallet.createRandom().connect(provider);
      await (await relayer.sendTransaction({ to: caller.address, value: 10n ** 17n })).wait();
      await approveSubject(t.db, caller.address);
      const issued = await t.request('POST', '/v1/attest', {
        key: dappKey,
        body: { subject: caller.address, policy: 'kyc-basic' },
      });
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      await (
        await gatekeeper.getFunction('submitAttestation')(issued.body.message, issued.body.signature)
      ).wait();
      return caller;
    },

    /** `caller` calls AgentRegistry.execute and waits for it to be mined: the registry's request id. */
    async requestExecution(caller: Caller, agentId: string): Promise<string> {
      const receipt = (await (
        await (registry.connect(caller) as Contract).getFunction('execute')(
          agentId,
          id(`task ${Math.random()}`),
        )
      ).wait()) as TransactionReceipt;
      const requested = receipt.logs
        .map((log) => registry.interface.parseLog(log))
        .find((parsed) => parsed?.name === 'ExecutionRequested')!;
      return String(requested.args.requestId);
    },
  };
}
