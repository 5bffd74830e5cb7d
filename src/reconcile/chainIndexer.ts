import type { Block, JsonRpcProvider, Log } from 'ethers';
import { eventDecoder, type ContractName, type CustosEvent } from '../chain/index.js';
import { withTryAdvisoryLock, type Database } from '../db/index.js';

export interface IndexerOptions {
  /** The contracts to follow, by name. */
  contracts: Partial<Record<ContractName, string>>;
  /** The first block to read (the deployment block): nothing before it concerns Custos. */
  startBlock: number;
  /** Most blocks read per run, so a long catch-up is done in bounded steps. */
  maxBlocksPerRun?: number;
  /**
   * The confirmation window: blocks this close to the head may still be reorganised. Their hashes are all kept
   * (to find the common ancestor after a reorg) and they are read by hash, linked by parent; deeper blocks are final.
   */
  reorgWindow?: number;
}

export interface IndexRun {
  fromBlock: number;
  toBlock: number;
  events: number;
  /** Set when a reorg was found: the block the index was rewound to. */
  rewoundTo?: number;
}

const CURSOR = 'contracts';
/** One indexer at a time across every Custos process; any constant shared by them. */
const INDEX_LOCK = 0x696e6478; // "indx"

/**
 * Follows the Custos contracts' events into `chain_events`, from a cursor stored in the database, so a restart
 * resumes where it stopped. Before reading on it checks that the block it stopped at is still on the chain; if
 * not (a reorg), it walks back through the hashes it kept to the common ancestor, drops what it indexed above it
 * and reads the new branch. What it commits is always one branch: inside the confirmation window every block's
 * header must name the block before it as its parent (the first one, the cursor's block), and its logs are read by
 * that block's hash, so a reorg while a run reads cannot leave logs of an orphaned block below a tip that checks out.
 * Each run commits its events, the window's block hashes and the cursor in one transaction.
 */
export class ChainIndexer {
  private readonly decoderByAddress = new Map<string, (log: Log) => CustosEvent | null>();
  private readonly maxBlocksPerRun: number;
  private readonly reorgWindow: number;

  constructor(
    private readonly db: Database,
    private readonly provider: JsonRpcProvider,
    private readonly options: IndexerOptions,
  ) {
    for (const [name, address] of Object.entries(options.contracts) as [ContractName, string | undefined][]) {
      if (address) this.decoderByAddress.set(address.toLowerCase(), eventDecoder(name));
    }
    this.maxBlocksPerRun = options.maxBlocksPerRun ?? 2000;
    this.reorgWindow = options.reorgWindow ?? 128;
  }

  /** Indexes the next stretch of blocks up to the chain head; null when another process is indexing. */
  async run(): Promise<IndexRun | null> {
    return withTryAdvisoryLock(this.db, INDEX_LOCK, () => this.indexNext());
  }

  private async indexNext(): Promise<IndexRun> {
    let cursor = await this.cursor();
    let rewoundTo: number | undefined;
    if (cursor.hash !== null && (await this.blockHash(cursor.number)) !== cursor.hash) {
      rewoundTo = await this.rewind(cursor.number);
      cursor = await this.cursor();
    }
    const head = await this.provider.getBlockNumber();
    const fromBlock = cursor.number + 1;
    const toBlock = Math.min(head, cursor.number + this.maxBlocksPerRun);
    if (toBlock < fromBlock) return { fromBlock, toBlock: cursor.number, events: 0, rewoundTo };

    const stretch = await this.read(cursor, fromBlock, toBlock, head);
    // A reorg while reading (a broken parent link): leave it to the next run, which rewinds.
    if (!stretch) return { fromBlock, toBlock: cursor.number, events: 0, rewoundTo };
    const rows = await this.decode(stretch.logs, stretch.window);
    await this.commit(rows, stretch.window);
    return { fromBlock, toBlock, events: rows.length, rewoundTo };
  }

  /**
   * The logs of blocks fromBlock..toBlock, all of one branch, and the headers of those inside the confirmation
   * window; null when the headers do not link (the chain moved while they were read). Blocks below the window are
   * final and read by range; the window's blocks are read by hash, after their headers.
   */
  private async read(
    cursor: { number: number; hash: string | null },
    fromBlock: number,
    toBlock: number,
    head: number,
  ): Promise<{ logs: Log[]; window: Block[] } | null> {
    const windowStart = Math.min(toBlock, Math.max(fromBlock, head - this.reorgWindow + 1));
    const window = await Promise.all(
      Array.from({ length: toBlock - windowStart + 1 }, (_, i) => this.block(windowStart + i)),
    );
    const parentOfFirst = windowStart === fromBlock ? cursor.hash : null;
    const linked = window.every((block, i) =>
      i === 0
        ? parentOfFirst === null || block.parentHash === parentOfFirst
        : block.parentHash === window[i - 1]!.hash,
    );
    if (!linked) return null;
    const address = [...this.decoderByAddress.keys()];
    const [final, recent] = await Promise.all([
      windowStart > fromBlock
        ? this.provider.getLogs({ address, fromBlock, toBlock: windowStart - 1 })
        : Promise.resolve([]),
      Promise.all(window.map((block) => this.provider.getLogs({ address, blockHash: block.hash! }))),
    ]);
    return { logs: [...final, ...recent.flat()], window };
  }

  private async cursor(): Promise<{ number: number; hash: string | null }> {
    const row = await this.db.chainCursor.findUnique({ where: { name: CURSOR } });
    return row
      ? { number: Number(row.blockNumber), hash: row.blockHash }
      : { number: this.options.startBlock - 1, hash: null };
  }

  private async blockHash(number: number): Promise<string | null> {
    return (await this.provider.getBlock(number))?.hash ?? null;
  }

  /** A block the node must have (at or below the head it reported): missing is the node's failure, not "none". */
  private async block(number: number): Promise<Block> {
    const block = await this.provider.getBlock(number);
    if (!block?.hash) throw new Error(`block ${number} is not available from the node`);
    return block;
  }

  /** Rewinds to the newest kept block still on the chain, deleting everything indexed above it. */
  private async rewind(from: number): Promise<number> {
    const kept = await this.db.chainBlock.findMany({
      where: { number: { lt: BigInt(from) } },
      orderBy: { number: 'desc' },
    });
    let ancestor: { number: bigint; hash: string | null } | undefined;
    for (const block of kept) {
      if ((await this.blockHash(Number(block.number))) === block.hash) {
        ancestor = block;
        break;
      }
    }
    if (!ancestor) {
      if (kept.length >= this.reorgWindow) {
        throw new Error(
          `the chain reorganised deeper than the ${this.reorgWindow} blocks the indexer keeps; reset its cursor`,
        );
      }
      ancestor = { number: BigInt(this.options.startBlock - 1), hash: null };
    }
    const above = { gt: ancestor.number };
    await this.db.$transaction([
      this.db.chainEvent.deleteMany({ where: { blockNumber: above } }),
      this.db.chainBlock.deleteMany({ where: { number: above } }),
      this.db.chainCursor.update({
        where: { name: CURSOR },
        data: { blockNumber: ancestor.number, blockHash: ancestor.hash, updatedAt: new Date() },
      }),
    ]);
    return Number(ancestor.number);
  }

  private async decode(logs: Log[], window: Block[]) {
    const blockTimes = new Map<number, Date>(window.map((b) => [b.number, new Date(b.timestamp * 1000)]));
    // What this stretch has seen so far, for linking agent executions before it is committed.
    const seen: RunMemory = { submitted: new Map(), agentPolicies: new Map(), authorisedBy: new Map() };
    const rows = [];
    for (const log of logs) {
      const event = this.decoderByAddress.get(log.address.toLowerCase())?.(log);
      if (!event) continue;
      if (!blockTimes.has(log.blockNumber)) {
        const block = await this.block(log.blockNumber);
        blockTimes.set(log.blockNumber, new Date(block.timestamp * 1000));
      }
      rows.push({
        blockNumber: BigInt(log.blockNumber),
        blockHash: log.blockHash,
        txHash: log.transactionHash,
        logIndex: log.index,
        contract: event.contract,
        event: event.name,
        ...(await this.link(event, log.transactionHash, log.index, seen)),
        args: argsOf(event),
        blockTime: blockTimes.get(log.blockNumber)!,
      });
    }
    return rows;
  }

  /**
   * Ties an event to the attestation it concerns: by uid when the event carries one; an agent execution to what
   * authorised it, the log just before it in the same call: the delegation it used or the action attestation it
   * spent (so revoking either stops it at pickup), or a proof (checked on-chain: no uid); otherwise to the
   * attestation that made its caller compliant with the agent's policy (the caller's latest one for that policy); an
   * accepted proof to the custodial groth16 attestation with its nullifier, and to its recipient.
   */
  private async link(
    event: CustosEvent,
    txHash: string,
    logIndex: number,
    seen: RunMemory,
  ): Promise<{ attestationUid: string | null; subject: string | null }> {
    if (event.name === 'AgentRegistered') {
      seen.agentPolicies.set(String(event.args.agentId), event.args.policyId);
    }
    // The gatekeeper logs these just before the registry's ExecutionRequested of the same call.
    if (event.name === 'DelegationUsed' || event.name === 'ActionAttestationConsumed') {
      seen.authorisedBy.set(txHash, { logIndex, uid: event.args.uid.toLowerCase() });
    }
    if (event.name === 'ProofAccepted') seen.authorisedBy.set(txHash, { logIndex, uid: null });
    if (event.name === 'ExecutionRequested') {
      const { caller } = event.args;
      const authorised = seen.authorisedBy.get(txHash);
      if (authorised?.logIndex === logIndex - 1) return { attestationUid: authorised.uid, subject: caller };
      const policyId = await this.agentPolicy(String(event.args.agentId), seen);
      const latest =
        seen.submitted.get(`${caller}:${policyId}`) ??
        (
          await this.db.chainEvent.findFirst({
            where: {
              event: 'AttestationSubmitted',
              subject: caller,
              args: { path: ['policyId'], equals: policyId ?? '' },
            },
            orderBy: [{ blockNumber: 'desc' }, { logIndex: 'desc' }],
            select: { attestationUid: true },
          })
        )?.attestationUid;
      return { attestationUid: latest ?? null, subject: caller };
    }
    if (event.name === 'ProofAccepted') {
      // Only a custodial proof has an audited nullifier; a holder's own proof stays unlinked, by design.
      const { rows } = await this.db.pool.query<{ attestation_uid: string }>(
        `SELECT attestation_uid FROM audit_events
          WHERE type = 'attestation.issued' AND payload->>'nullifier' = $1 LIMIT 1`,
        [String(event.args.nullifier)],
      );
      return { attestationUid: rows[0]?.attestation_uid ?? null, subject: event.args.recipient };
    }
    const uid = 'uid' in event.args ? event.args.uid.toLowerCase() : null;
    const subject = 'subject' in event.args ? event.args.subject : null;
    if (event.name === 'AttestationSubmitted') {
      seen.submitted.set(`${event.args.subject}:${event.args.policyId}`, event.args.uid.toLowerCase());
    }
    return { attestationUid: uid, subject };
  }

  /** The policy an agent was registered with, from this run or the index. */
  private async agentPolicy(agentId: string, seen: RunMemory): Promise<string | null> {
    const known = seen.agentPolicies.get(agentId);
    if (known) return known;
    const registered = await this.db.chainEvent.findFirst({
      where: { event: 'AgentRegistered', args: { path: ['agentId'], equals: agentId } },
      select: { args: true },
    });
    return (registered?.args as { policyId?: string } | null)?.policyId ?? null;
  }

  private async commit(rows: Awaited<ReturnType<ChainIndexer['decode']>>, window: Block[]): Promise<void> {
    const tip = window.at(-1)!;
    await this.db.$transaction([
      this.db.chainEvent.createMany({ data: rows }),
      this.db.chainBlock.createMany({
        data: window.map((block) => ({ number: BigInt(block.number), hash: block.hash! })),
        skipDuplicates: true,
      }),
      this.db.chainBlock.deleteMany({ where: { number: { lt: BigInt(tip.number - this.reorgWindow) } } }),
      this.db.chainCursor.upsert({
        where: { name: CURSOR },
        create: { name: CURSOR, blockNumber: BigInt(tip.number), blockHash: tip.hash },
        update: { blockNumber: BigInt(tip.number), blockHash: tip.hash, updatedAt: new Date() },
      }),
    ]);
  }
}

/** Attestations submitted (by `subject:policyId`) and agents registered (id to policy) earlier in the same run. */
interface RunMemory {
  submitted: Map<string, string>;
  agentPolicies: Map<string, string>;
  /** Per transaction of this run, the last delegation, action attestation or proof it used, and where it was logged. */
  authorisedBy: Map<string, { logIndex: number; uid: string | null }>;
}

/** Event arguments as JSON: names to values, integers as decimal strings, addresses and hashes as given. */
function argsOf(event: CustosEvent): Record<string, string | boolean> {
  return Object.fromEntries(
    Object.entries(event.args).map(([name, value]) => [
      name,
      typeof value === 'boolean' ? value : String(value),
    ]),
  );
}
