import {
  Transaction,
  getBigInt,
  type BigNumberish,
  type JsonRpcProvider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
} from 'ethers';
import { CustosError } from '../errors/index.js';

/** How a transaction that is not mined gets replaced: same nonce, same call, higher fees. */
export interface FeeBumpPolicy {
  /** A version unmined this long after it was sent is replaced. */
  bumpAfterMs: number;
  /** At most this many replacements; after the last one the sender only waits, until the receipt timeout. */
  maxBumps: number;
  /** Each replacement raises every fee field by this much, or to the node's current suggestion when that is higher. */
  bumpPercent: number;
}

export interface TransactionSenderOptions {
  /** The whole budget from the first send: nothing mined by then, the write counts as lost (CHAIN_UNAVAILABLE). */
  receiptTimeoutMs: number;
  confirmations: number;
  feeBump: FeeBumpPolicy;
  /** How often receipts are looked for. */
  pollMs?: number;
}

/** A replacement must beat the one it replaces by at least this much (geth's txpool.pricebump is 10%). */
export const MIN_BUMP_PERCENT = 10;

/**
 * Sends the operator's transactions and sees each one mined. Nonces come from the node (pending count), never from
 * a local counter: a transaction the node lost (a restart) would otherwise leave a gap that every later one waits
 * behind forever. A transaction that stays unmined (fees too low for the moment) is replaced with higher fees at the
 * same nonce, a bounded number of times; every version is watched, and the receipt returned is the one of whichever
 * version was mined. A nonce used by something else (another process on the same account) is reported, never
 * mistaken for this write. A write given up at the timeout leaves its last version in the pool where, priced below
 * the market, it would hold every later nonce behind it: the next write takes that nonce instead, at fees that
 * replace it (the write given up was reported lost; its caller retries it).
 */
export class TransactionSender {
  /** First sends queue here, one at a time, so each takes the node's pending nonce after the one before. */
  private submitting: Promise<unknown> = Promise.resolve();
  private readonly pollMs: number;
  /** Writes given up at the timeout, by nonce: the last version sent of each. */
  private readonly abandoned = new Map<number, Transaction>();

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly signer: Signer,
    private readonly options: TransactionSenderOptions,
  ) {
    if (options.feeBump.bumpPercent < MIN_BUMP_PERCENT) {
      throw new Error(`a fee bump below ${MIN_BUMP_PERCENT}% is refused by nodes as underpriced`);
    }
    this.pollMs = options.pollMs ?? 1000;
  }

  /** Sends `request` (to and data; the rest is filled in) and returns the receipt of the version that was mined. */
  async send(request: TransactionRequest): Promise<TransactionReceipt> {
    const sent = this.submitting.then(() => this.sendFirst(request));
    this.submitting = sent.catch(() => undefined);
    return this.mined(await sent);
  }

  private async sendFirst(request: TransactionRequest): Promise<Transaction> {
    try {
      const populated = await this.signer.populateTransaction(request);
      const stuck = await this.abandonedBelow(Number(populated.nonce));
      if (!stuck) return await this.broadcast(populated);
      this.abandoned.delete(stuck.nonce);
      return await this.broadcast({ ...populated, nonce: stuck.nonce, ...this.feesOver(stuck, populated) });
    } catch (error) {
      // Another process sent from the operator account at the same moment (or the abandoned nonce was mined after
      // all): the retry takes the next nonce.
      if (!isNonceConflict(error)) throw error;
      return this.broadcast(await this.signer.populateTransaction(request));
    }
  }

  /** The lowest abandoned nonce still unmined, when it is below `pending`; mined ones are forgotten. */
  private async abandonedBelow(pending: number): Promise<Transaction | undefined> {
    if (this.abandoned.size === 0) return undefined;
    const mined = await this.provider.getTransactionCount(await this.signer.getAddress(), 'latest');
    for (const nonce of this.abandoned.keys()) if (nonce < mined) this.abandoned.delete(nonce);
    const lowest = Math.min(...this.abandoned.keys());
    return lowest < pending ? this.abandoned.get(lowest) : undefined;
  }

  private async broadcast(request: TransactionRequest): Promise<Transaction> {
    const signed = Transaction.from(await this.signer.signTransaction(request));
    await this.provider.broadcastTransaction(signed.serialized);
    return signed;
  }

  /** Waits for one of the versions of `first` to be mined, replacing the latest one while bumps remain. */
  private async mined(first: Transaction): Promise<TransactionReceipt> {
    const startedAt = Date.now();
    const versions = [first.hash!];
    let latest = first;
    let bumps = 0;
    let lastSendAt = startedAt;
    for (;;) {
      const receipt = await this.receiptOf(versions);
      if (receipt) return this.confirmed(receipt, versions, startedAt);
      const nonceUsed =
        (await this.poll(() => this.provider.getTransactionCount(first.from!, 'latest'))) ?? 0;
      if (nonceUsed > first.nonce) {
        // Mined between the two reads, or displaced by another transaction with the same nonce.
        const late = await this.receiptOf(versions);
        if (late) return this.confirmed(late, versions, startedAt);
        throw new CustosError(
          'CHAIN_UNAVAILABLE',
          `the operator's nonce ${first.nonce} was used by another transaction; the write was not made, retry`,
        );
      }
      if (Date.now() - startedAt >= this.options.receiptTimeoutMs) {
        this.abandoned.set(latest.nonce, latest);
        throw this.lost(versions);
      }
      if (
        bumps < this.options.feeBump.maxBumps &&
        Date.now() - lastSendAt >= this.options.feeBump.bumpAfterMs
      ) {
        bumps++;
        lastSendAt = Date.now();
        latest = await this.replace(latest);
        if (!versions.includes(latest.hash!)) versions.push(latest.hash!);
      }
      await sleep(this.pollMs);
    }
  }

  /**
   * Signs and sends `previous` again with higher fees. The new version is watched even when the node refuses it
   * (underpriced, or its nonce is already mined: the loop sees that) or the send fails in transit (it may have
   * arrived); the next bump starts from the fees tried, so bumps keep rising.
   */
  private async replace(previous: Transaction): Promise<Transaction> {
    const suggested = (await this.poll(() => this.provider.getFeeData())) ?? undefined;
    const request: TransactionRequest = {
      type: previous.type,
      chainId: previous.chainId,
      nonce: previous.nonce,
      to: previous.to,
      data: previous.data,
      value: previous.value,
      gasLimit: previous.gasLimit,
      accessList: previous.accessList,
      ...this.feesOver(previous, suggested),
    };
    const signed = Transaction.from(await this.signer.signTransaction(request));
    await this.provider.broadcastTransaction(signed.serialized).catch(() => undefined);
    return signed;
  }

  /** Fees that replace `previous`: each raised by the bump percentage, or to `suggested`'s when that is higher. */
  private feesOver(previous: Transaction, suggested: FeeFields | undefined): FeeFields {
    if (previous.maxFeePerGas === null)
      return { gasPrice: this.raise(previous.gasPrice!, suggested?.gasPrice) };
    const maxPriorityFeePerGas = this.raise(previous.maxPriorityFeePerGas!, suggested?.maxPriorityFeePerGas);
    const maxFeePerGas = this.raise(previous.maxFeePerGas, suggested?.maxFeePerGas);
    // The cap can never be below the tip.
    return {
      maxPriorityFeePerGas,
      maxFeePerGas: maxFeePerGas > maxPriorityFeePerGas ? maxFeePerGas : maxPriorityFeePerGas,
    };
  }

  /** `fee` raised by the bump percentage (rounded up), or the node's suggestion when that is higher. */
  private raise(fee: bigint, suggested: BigNumberish | null | undefined): bigint {
    const bumped = fee + (fee * BigInt(this.options.feeBump.bumpPercent) + 99n) / 100n;
    return suggested != null && getBigInt(suggested) > bumped ? getBigInt(suggested) : bumped;
  }

  private async receiptOf(hashes: string[]): Promise<TransactionReceipt | null> {
    for (const hash of hashes) {
      const receipt = await this.poll(() => this.provider.getTransactionReceipt(hash));
      if (receipt) return receipt;
    }
    return null;
  }

  /** Waits for the confirmations asked for; a reverted transaction is the chain's refusal, said as such. */
  private async confirmed(
    receipt: TransactionReceipt,
    versions: string[],
    startedAt: number,
  ): Promise<TransactionReceipt> {
    if (receipt.status === 0) {
      throw new CustosError(
        'INTERNAL',
        `the chain refused the transaction: ${receipt.hash} reverted in block ${receipt.blockNumber}`,
      );
    }
    for (;;) {
      const confirmations = (await this.poll(() => receipt.confirmations())) ?? 0;
      if (confirmations >= this.options.confirmations) return receipt;
      if (Date.now() - startedAt >= this.options.receiptTimeoutMs) throw this.lost(versions);
      await sleep(this.pollMs);
    }
  }

  private lost(versions: string[]): CustosError {
    return new CustosError(
      'CHAIN_UNAVAILABLE',
      `the transaction was not mined within ${Math.round(this.options.receiptTimeoutMs / 1000)} s (${versions.length} version(s) sent, the last ${versions.at(-1)}); retry`,
    );
  }

  /** One read while waiting: a node that does not answer for a moment is asked again at the next poll. */
  private async poll<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch {
      return null;
    }
  }
}

/** The fee fields of a request or of the node's fee data. */
interface FeeFields {
  maxFeePerGas?: BigNumberish | null;
  maxPriorityFeePerGas?: BigNumberish | null;
  gasPrice?: BigNumberish | null;
}

function isNonceConflict(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NONCE_EXPIRED' || code === 'REPLACEMENT_UNDERPRICED';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
