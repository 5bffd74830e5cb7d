import { Contract, JsonRpcProvider, id, toBeHex, type Signer } from 'ethers';
import { CustosError, isUnreachable } from '../errors/index.js';
import { loadArtifact } from './artifacts.js';
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
  readonly gatekeeper: Contract;
  readonly registry: Contract;
  readonly auditAnchor?: Contract;
  private readonly operator: Signer;
  private readonly sender: TransactionSender;

  constructor(readonly options: ChainOperatorOptions) {
    this.provider = new JsonRpcProvider(options.rpcUrl, options.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    this.operator = options.operator.connect(this.provider);
    this.gatekeeper = new Contract(
      options.gatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      this.operator,
    );
    this.registry = new Contract(
      options.revocationRegistry,
      loadArtifact('RevocationRegistry').abi,
      this.operator,
    );
    if (options.auditAnchor) {
      this.auditAnchor = new Contract(options.auditAnchor, loadArtifact('AuditAnchor').abi, this.operator);
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
        ? await this.send(this.registry, 'revoke', [pending[0], reasonHash])
        : await this.send(this.registry, 'revokeBatch', [pending, reasonHash]);
    } catch (error) {
      // The registry refuses a second revocation of a uid: if another sender got there first, the job is done.
      if ((await this.unrevoked(pending)).length === 0) return null;
      throw error;
    }
  }

  private async unrevoked(uids: string[]): Promise<string[]> {
    const revoked = await Promise.all(
      uids.map((uid) => this.call(() => this.registry.getFunction('isRevoked')(uid) as Promise<boolean>)),
    );
    return uids.filter((_, i) => !revoked[i]);
  }

  /** Sets `signer`'s trust window on the gatekeeper (seconds; `validUntil` undefined means without end). */
  async setSigner(signer: string, validFrom: number, validUntil?: number): Promise<ChainReceipt> {
    return this.send(this.gatekeeper, 'setSigner', [
      signer,
      validFrom,
      validUntil === undefined ? SIGNER_TRUSTED_WITHOUT_END : validUntil,
    ]);
  }

  async signerWindow(signer: string): Promise<{ validFrom: number; validUntil: bigint }> {
    const window = await this.call(() => this.gatekeeper.getFunction('signerWindow')(signer));
    return { validFrom: Number(window.validFrom), validUntil: BigInt(window.validUntil) };
  }

  /** The longest attestation lifetime the gatekeeper accepts for `policy`; 0 when it is not enabled there. */
  async policyMaxLifetime(policy: string): Promise<number> {
    return Number(await this.call(() => this.gatekeeper.getFunction('policyMaxLifetime')(id(policy))));
  }

  /** Submits a signed issuance root to the gatekeeper and waits for it. */
  async submitIssuanceRoot(root: bigint, issuedAt: number, signature: string): Promise<ChainReceipt> {
    return this.send(this.gatekeeper, 'submitIssuanceRoot', [root, issuedAt, signature]);
  }

  async isRecentIssuanceRoot(root: bigint): Promise<boolean> {
    return this.call(() => this.gatekeeper.getFunction('isRecentIssuanceRoot')(root));
  }

  /** The registry's current revocation root (0 before the first publication) and its epoch. */
  async revocationRoot(): Promise<{ root: bigint; epoch: number }> {
    const [root, epoch] = await this.call(() => this.registry.getFunction('currentRoot')());
    return { root: BigInt(root), epoch: Number(epoch) };
  }

  /** Publishes `root` as the epoch after `expectedEpoch` and waits for it (StaleEpoch if another got there first). */
  async publishRevocationRoot(root: bigint, expectedEpoch: number): Promise<ChainReceipt> {
    return this.send(this.registry, 'publishRoot', [toBeHex(root, 32), expectedEpoch]);
  }

  /** The Poseidon hash of `policy`'s zero-knowledge parameters on the gatekeeper (0: proofs are off for it). */
  async zkPolicyHash(policy: string): Promise<bigint> {
    return BigInt(await this.call(() => this.gatekeeper.getFunction('zkPolicyHash')(id(policy))));
  }

  /** A cheap liveness probe for /readyz. */
  async ping(): Promise<void> {
    await this.call(() => this.provider.getBlockNumber());
  }

  /** Where the next anchored batch must start, and how many batches exist. */
  async anchorState(): Promise<{ nextSeq: bigint; batchCount: number }> {
    const anchor = this.requireAnchor();
    const [nextSeq, batchCount] = await this.call(() =>
      Promise.all([anchor.getFunction('nextSeq')(), anchor.getFunction('batchCount')()]),
    );
    return { nextSeq: BigInt(nextSeq), batchCount: Number(batchCount) };
  }

  async anchoredBatch(
    index: number,
  ): Promise<{ firstSeq: bigint; lastSeq: bigint; root: string; anchoredAt: number }> {
    const batch = await this.call(() => this.requireAnchor().getFunction('batch')(index));
    return {
      firstSeq: BigInt(batch.firstSeq),
      lastSeq: BigInt(batch.lastSeq),
      root: batch.root,
      anchoredAt: Number(batch.anchoredAt),
    };
  }

  /** Anchors events firstSeq..lastSeq under `root` and waits for it. */
  async anchor(firstSeq: bigint, lastSeq: bigint, root: string): Promise<ChainReceipt> {
    const anchor = this.requireAnchor();
    return this.send(anchor, 'anchor', [firstSeq, lastSeq, root]);
  }

  private requireAnchor(): Contract {
    if (!this.auditAnchor) throw new CustosError('INTERNAL', 'no AuditAnchor contract is configured');
    return this.auditAnchor;
  }

  destroy(): void {
    this.provider.destroy();
  }

  /** Sends `method(args)` on `contract` from the operator account and waits for it (fee bumps included). */
  private async send(contract: Contract, method: string, args: unknown[]): Promise<ChainReceipt> {
    return this.call(async () => {
      const request = await contract.getFunction(method).populateTransaction(...args);
      const receipt = await this.sender.send(request);
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
    const revert = this.decodeRevert(error);
    const said = revert ?? (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    return new CustosError('INTERNAL', `the chain refused the transaction: ${said}`, undefined, {
      cause: error,
    });
  }

  private decodeRevert(error: unknown): string | undefined {
    const data = (error as { data?: string }).data;
    if (typeof data !== 'string' || data.length < 10) return undefined;
    for (const contract of [
      this.registry,
      this.gatekeeper,
      ...(this.auditAnchor ? [this.auditAnchor] : []),
    ]) {
      const parsed = contract.interface.parseError(data);
      if (parsed) return parsed.name;
    }
    return 'an unknown custom error';
  }
}
