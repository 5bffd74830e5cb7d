import {
  Contract,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  id,
  type ContractTransactionResponse,
} from 'ethers';
import { CustosError } from '../errors/index.js';
import { loadArtifact } from './artifacts.js';

export interface ChainOperatorOptions {
  rpcUrl: string;
  chainId: number;
  gatekeeper: string;
  revocationRegistry: string;
  /** Holds the registry's publisher role and the gatekeeper's signer-manager role. */
  operatorPrivateKey: string;
  /** Confirmations to wait for before a write counts as done. */
  confirmations?: number;
}

export interface ChainReceipt {
  txHash: string;
  blockNumber: number;
}

const MAX_UINT64 = 2n ** 64n - 1n;

/**
 * The service's hands on the chain: revocations and signer windows, sent by the operator account and awaited.
 * Every failure to reach the chain is a CHAIN_UNAVAILABLE error; contract reverts keep their custom-error name.
 */
export class ChainOperator {
  readonly provider: JsonRpcProvider;
  readonly gatekeeper: Contract;
  readonly registry: Contract;
  private readonly confirmations: number;

  constructor(readonly options: ChainOperatorOptions) {
    this.provider = new JsonRpcProvider(options.rpcUrl, options.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    const operator = new NonceManager(new Wallet(options.operatorPrivateKey, this.provider));
    this.gatekeeper = new Contract(options.gatekeeper, loadArtifact('ComplianceGatekeeper').abi, operator);
    this.registry = new Contract(
      options.revocationRegistry,
      loadArtifact('RevocationRegistry').abi,
      operator,
    );
    this.confirmations = options.confirmations ?? 1;
  }

  /** Revokes uids on the registry (one transaction) and waits for it; uids already revoked on-chain are skipped. */
  async revoke(uids: string[], reason: string): Promise<ChainReceipt | null> {
    const pending: string[] = [];
    for (const uid of uids)
      if (!(await this.call(() => this.registry.getFunction('isRevoked')(uid)))) pending.push(uid);
    if (pending.length === 0) return null;
    const reasonHash = id(reason);
    return this.send(() =>
      pending.length === 1
        ? this.registry.getFunction('revoke')(pending[0], reasonHash)
        : this.registry.getFunction('revokeBatch')(pending, reasonHash),
    );
  }

  /** Sets `signer`'s trust window on the gatekeeper (seconds; `validUntil` undefined means without end). */
  async setSigner(signer: string, validFrom: number, validUntil?: number): Promise<ChainReceipt> {
    return this.send(() =>
      this.gatekeeper.getFunction('setSigner')(
        signer,
        validFrom,
        validUntil === undefined ? MAX_UINT64 : validUntil,
      ),
    );
  }

  async signerWindow(signer: string): Promise<{ validFrom: number; validUntil: bigint }> {
    const window = await this.call(() => this.gatekeeper.getFunction('signerWindow')(signer));
    return { validFrom: Number(window.validFrom), validUntil: BigInt(window.validUntil) };
  }

  async isCompliant(subject: string, policy: string): Promise<boolean> {
    return this.call(() => this.gatekeeper.getFunction('isCompliant')(subject, id(policy)));
  }

  async latestTimestamp(): Promise<number> {
    return this.call(async () => (await this.provider.getBlock('latest'))!.timestamp);
  }

  /** A cheap liveness probe for /readyz. */
  async ping(): Promise<void> {
    await this.call(() => this.provider.getBlockNumber());
  }

  destroy(): void {
    this.provider.destroy();
  }

  private async send(submit: () => Promise<ContractTransactionResponse>): Promise<ChainReceipt> {
    const tx = await this.call(submit);
    const receipt = await this.call(() => tx.wait(this.confirmations));
    return { txHash: tx.hash, blockNumber: receipt!.blockNumber };
  }

  private async call<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const revert = this.decodeRevert(error);
      if (revert)
        throw new CustosError('INTERNAL', `the chain refused the transaction: ${revert}`, undefined, {
          cause: error,
        });
      throw new CustosError('CHAIN_UNAVAILABLE', 'the chain is unreachable; retry shortly', undefined, {
        cause: error,
      });
    }
  }

  private decodeRevert(error: unknown): string | undefined {
    const data = (error as { data?: string }).data;
    if (typeof data !== 'string' || data.length < 10) return undefined;
    for (const contract of [this.registry, this.gatekeeper]) {
      const parsed = contract.interface.parseError(data);
      if (parsed) return parsed.name;
    }
    return 'an unknown custom error';
  }
}
