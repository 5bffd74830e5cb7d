import {
  Contract,
  JsonRpcProvider,
  id,
  toBeHex,
  type ContractTransactionResponse,
  type Signer,
} from 'ethers';
import { CustosError, isUnreachable } from '../errors/index.js';
import { loadArtifact } from './artifacts.js';

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
  /** A transaction not mined within this long counts as lost (CHAIN_UNAVAILABLE); the next write replaces it. */
  receiptTimeoutMs?: number;
}

export interface ChainReceipt {
  txHash: string;
  blockNumber: number;
}

const MAX_UINT64 = 2n ** 64n - 1n;

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
  private readonly confirmations: number;
  private readonly receiptTimeoutMs: number;
  private readonly operator: Signer;
  /** Submissions queue here, one at a time, so each takes the node's pending nonce after the one before. */
  private submitting: Promise<unknown> = Promise.resolve();

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
    this.confirmations = options.confirmations ?? 1;
    this.receiptTimeoutMs = options.receiptTimeoutMs ?? 180_000;
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
      return await this.send(() =>
        pending.length === 1
          ? this.registry.getFunction('revoke')(pending[0], reasonHash)
          : this.registry.getFunction('revokeBatch')(pending, reasonHash),
      );
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

  /** The longest attestation lifetime the gatekeeper accepts for `policy`; 0 when it is not enabled there. */
  async policyMaxLifetime(policy: string): Promise<number> {
    return Number(await this.call(() => this.gatekeeper.getFunction('policyMaxLifetime')(id(policy))));
  }

  /** Submits a signed issuance root to the gatekeeper and waits for it. */
  async submitIssuanceRoot(root: bigint, issuedAt: number, signature: string): Promise<ChainReceipt> {
    return this.send(() => this.gatekeeper.getFunction('submitIssuanceRoot')(root, issuedAt, signature));
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
    return this.send(() => this.registry.getFunction('publishRoot')(toBeHex(root, 32), expectedEpoch));
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
    return this.send(() => anchor.getFunction('anchor')(firstSeq, lastSeq, root));
  }

  private requireAnchor(): Contract {
    if (!this.auditAnchor) throw new CustosError('INTERNAL', 'no AuditAnchor contract is configured');
    return this.auditAnchor;
  }

  destroy(): void {
    this.provider.destroy();
  }

  /**
   * Sends a transaction and waits for it. Nonces come from the node (pending count), never from a local counter:
   * a transaction the node lost (a restart) would otherwise leave a gap that every later one waits behind forever.
   */
  private async send(submit: () => Promise<ContractTransactionResponse>): Promise<ChainReceipt> {
    const submitted = this.submitting.then(() => this.submit(submit));
    this.submitting = submitted.catch(() => undefined);
    const tx = await submitted;
    const receipt = await this.call(() => tx.wait(this.confirmations, this.receiptTimeoutMs));
    return { txHash: tx.hash, blockNumber: receipt!.blockNumber };
  }

  private async submit(
    submit: () => Promise<ContractTransactionResponse>,
  ): Promise<ContractTransactionResponse> {
    try {
      return await submit();
    } catch (error) {
      // Another process sent from the operator account at the same moment: the retry takes the next nonce.
      if (!isNonceConflict(error)) throw this.classify(error);
      return this.call(submit);
    }
  }

  private async call<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      throw this.classify(error);
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

function isNonceConflict(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NONCE_EXPIRED' || code === 'REPLACEMENT_UNDERPRICED';
}
