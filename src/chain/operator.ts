import { JsonRpcProvider, id, toBeHex, type ContractTransaction, type Signer } from 'ethers';
import { CustosError, isUnreachable } from '../errors/index.js';
import { custosContract, describeRevert, type ContractAbi, type CustosContract } from './bindings.js';
import { TransactionSender, type FeeBumpPolicy } from './transactionSender.js';

export interface ChainOperatorOptions {
  rpcUrl: string;
  chainId: number;
  gatekeeper: string;
  revocationRegistry: string;
  /** The AuditAnchor contract, when the audit log is anchored on-chain. */
  auditAnchor?: string;
  /** Holds the registry's publisher role and the gatekeeper's signer-manager role (a KMS/HSM key in production). */
  operator: Signer;
  /** Confirmations to wait for before a write counts as done. */
  confirmations?: number;
  /**
   * The whole wait for a write, from its first send: nothing mined by then counts as lost (CHAIN_UNAVAILABLE).
   * Within it, an unmined transaction is replaced with higher fees (see {@link DEFAULT_FEE_BUMPS}).
   */
  receiptTimeoutMs?: number;
  /** Overrides the fee-bump policy derived from the receipt timeout. */
  feeBump?: Partial<FeeBumpPolicy>;
  /** How often receipts are looked for (ms). */
  pollMs?: number;
}

/**
 * By default a write gets up to three replacements, 25% dearer each (about twice the first fee at the third), the
 * first after a quarter of the receipt timeout: the timeout is split evenly between the first send and each bump.
 */
export const DEFAULT_FEE_BUMPS = { maxBumps: 3, bumpPercent: 25 } as const;

export interface ChainReceipt {
  txHash: string;
  blockNumber: number;
}

/** The `validUntil` of a signer trusted without end. */
export const SIGNER_TRUSTED_WITHOUT_END = 2n ** 64n - 1n;

/**
 * The service's hands on the chain: revocations, revocation and issuance roots, signer windows and audit anchors,
 * sent by the operator account and awaited.
 * A node that cannot be reached is CHAIN_UNAVAILABLE (retryable); anything the chain refuses keeps its reason.
 */
export class ChainOperator {
  readonly provider: JsonRpcProvider;
  readonly gatekeeper: CustosContract<ContractAbi<'ComplianceGatekeeper'>>;
  readonly registry: CustosContract<ContractAbi<'RevocationRegistry'>>;
  readonly auditAnchor?: CustosContract<ContractAbi<'AuditAnchor'>>;
  private readonly operator: Signer;
  private readonly sender: TransactionSender;

  constructor(readonly options: ChainOperatorOptions) {
    this.provider = new JsonRpcProvider(options.rpcUrl, options.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    this.operator = options.operator.connect(this.provider);
    this.gatekeeper = custosContract('ComplianceGatekeeper', options.gatekeeper, this.operator);
    this.registry = custosContract('RevocationRegistry', options.revocationRegistry, this.operator);
    if (options.auditAnchor) {
      this.auditAnchor = custosContract('AuditAnchor', options.auditAnchor, this.operator);
    }
    const receiptTimeoutMs = options.receiptTimeoutMs ?? 180_000;
    const maxBumps = options.feeBump?.maxBumps ?? DEFAULT_FEE_BUMPS.maxBumps;
    this.sender = new TransactionSender(this.provider, this.operator, {
      receiptTimeoutMs,
      confirmations: options.confirmations ?? 1,
      pollMs: options.pollMs,
      feeBump: {
        maxBumps,
        bumpPercent: options.feeBump?.bumpPercent ?? DEFAULT_FEE_BUMPS.bumpPercent,
        bumpAfterMs: options.feeBump?.bumpAfterMs ?? Math.floor(receiptTimeoutMs / (maxBumps + 1)),
      },
    });
  }

  /**
   * Revokes uids on the registry (one transaction) and waits for it; uids already revoked on-chain are skipped, and
   * null means every one of them already was (also when another sender revoked them while this one was sending).
   */
  async revoke(uids: string[], reason: string): Promise<ChainReceipt | null> {
    const pending = await this.unrevoked(uids);
    if (pending.length === 0) return null;
    const reasonHash = id(reason);
    try {
      return pending.length === 1
        ? await this.send(() => this.registry.populate.revoke(pending[0]!, reasonHash))
        : await this.send(() => this.registry.populate.revokeBatch(pending, reasonHash));
    } catch (error) {
      // The registry refuses a second revocation of a uid: if another sender got there first, the job is done.
      if ((await this.unrevoked(pending)).length === 0) return null;
      throw error;
    }
  }

  private async unrevoked(uids: string[]): Promise<string[]> {
    const revoked = await Promise.all(uids.map((uid) => this.call(() => this.registry.read.isRevoked(uid))));
    return uids.filter((_, i) => !revoked[i]);
  }

  /** Sets `signer`'s trust window on the gatekeeper (seconds; `validUntil` undefined means without end). */
  async setSigner(signer: string, validFrom: number, validUntil?: number): Promise<ChainReceipt> {
    return this.send(() =>
      this.gatekeeper.populate.setSigner(
        signer,
        validFrom,
        validUntil === undefined ? SIGNER_TRUSTED_WITHOUT_END : validUntil,
      ),
    );
  }

  async signerWindow(signer: string): Promise<{ validFrom: number; validUntil: bigint }> {
    const window = await this.call(() => this.gatekeeper.read.signerWindow(signer));
    return { validFrom: Number(window.validFrom), validUntil: window.validUntil };
  }

  /** The longest attestation lifetime the gatekeeper accepts for `policy`; 0 when it is not enabled there. */
  async policyMaxLifetime(policy: string): Promise<number> {
    return Number(await this.call(() => this.gatekeeper.read.policyMaxLifetime(id(policy))));
  }

  /** Submits a signed issuance root to the gatekeeper and waits for it. */
  async submitIssuanceRoot(root: bigint, issuedAt: number, signature: string): Promise<ChainReceipt> {
    return this.send(() => this.gatekeeper.populate.submitIssuanceRoot(root, issuedAt, signature));
  }

  async isRecentIssuanceRoot(root: bigint): Promise<boolean> {
    return this.call(() => this.gatekeeper.read.isRecentIssuanceRoot(root));
  }

  /** The registry's current revocation root (0 before the first publication) and its epoch. */
  async revocationRoot(): Promise<{ root: bigint; epoch: number }> {
    const [root, epoch] = await this.call(() => this.registry.read.currentRoot());
    return { root: BigInt(root), epoch: Number(epoch) };
  }

  /** Publishes `root` as the epoch after `expectedEpoch` and waits for it (StaleEpoch if another got there first). */
  async publishRevocationRoot(root: bigint, expectedEpoch: number): Promise<ChainReceipt> {
    return this.send(() => this.registry.populate.publishRoot(toBeHex(root, 32), expectedEpoch));
  }

  /** The Poseidon hash of `policy`'s zero-knowledge parameters on the gatekeeper (0: proofs are off for it). */
  async zkPolicyHash(policy: string): Promise<bigint> {
    return this.call(() => this.gatekeeper.read.zkPolicyHash(id(policy)));
  }

  /** Whether the gatekeeper's intake is paused (its own switch, PAUSER_ROLE). */
  async paused(): Promise<boolean> {
    return this.call(() => this.gatekeeper.read.paused());
  }

  /** Pauses or unpauses the gatekeeper's intake and waits for it (the operator needs PAUSER_ROLE). */
  async setPaused(paused: boolean): Promise<ChainReceipt> {
    return this.send(() => (paused ? this.gatekeeper.populate.pause() : this.gatekeeper.populate.unpause()));
  }

  /** A cheap liveness probe for /readyz. */
  async ping(): Promise<void> {
    await this.call(() => this.provider.getBlockNumber());
  }

  /** Where the next anchored batch must start, and how many batches exist. */
  async anchorState(): Promise<{ nextSeq: bigint; batchCount: number }> {
    const anchor = this.requireAnchor();
    const [nextSeq, batchCount] = await this.call(() =>
      Promise.all([anchor.read.nextSeq(), anchor.read.batchCount()]),
    );
    return { nextSeq, batchCount: Number(batchCount) };
  }

  async anchoredBatch(
    index: number,
  ): Promise<{ firstSeq: bigint; lastSeq: bigint; root: string; anchoredAt: number }> {
    const batch = await this.call(() => this.requireAnchor().read.batch(index));
    return {
      firstSeq: batch.firstSeq,
      lastSeq: batch.lastSeq,
      root: batch.root,
      anchoredAt: Number(batch.anchoredAt),
    };
  }

  /** Anchors events firstSeq..lastSeq under `root` and waits for it. */
  async anchor(firstSeq: bigint, lastSeq: bigint, root: string): Promise<ChainReceipt> {
    const anchor = this.requireAnchor();
    return this.send(() => anchor.populate.anchor(firstSeq, lastSeq, root));
  }

  private requireAnchor(): CustosContract<ContractAbi<'AuditAnchor'>> {
    if (!this.auditAnchor) throw new CustosError('INTERNAL', 'no AuditAnchor contract is configured');
    return this.auditAnchor;
  }

  destroy(): void {
    this.provider.destroy();
  }

  /** Sends the call `populate` makes from the operator account and waits for it (fee bumps included). */
  private async send(populate: () => Promise<ContractTransaction>): Promise<ChainReceipt> {
    return this.call(async () => {
      const receipt = await this.sender.send(await populate());
      return { txHash: receipt.hash, blockNumber: receipt.blockNumber };
    });
  }

  private async call<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      throw error instanceof CustosError ? error : this.classify(error);
    }
  }

  /** Unreachable node: CHAIN_UNAVAILABLE (retryable). Anything else the chain said: INTERNAL, with what it said. */
  private classify(error: unknown): CustosError {
    const code = (error as { code?: string }).code;
    if (isUnreachable(error) || code === 'NETWORK_ERROR' || code === 'TIMEOUT' || code === 'SERVER_ERROR') {
      return new CustosError('CHAIN_UNAVAILABLE', 'the chain is unreachable; retry shortly', undefined, {
        cause: error,
      });
    }
    const revert = describeRevert((error as { data?: unknown }).data);
    const said = revert ?? (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    return new CustosError('INTERNAL', `the chain refused the transaction: ${said}`, undefined, {
      cause: error,
    });
  }
}
