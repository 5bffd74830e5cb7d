import type { emergencyRequest, emergencyState, ReasonCode } from '@custos/sdk/api';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { appendAuditEvent } from '../audit/index.js';
import type { ChainOperator } from '../chain/index.js';
import { withAdvisoryLock, type Database } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';

export type EmergencyStateView = z.output<typeof emergencyState>;
export type EmergencyRequest = z.output<typeof emergencyRequest>;

type Row = NonNullable<Awaited<ReturnType<Database['emergencyState']['findFirst']>>>;

/** Serialises chain synchronisations across replicas: one pause or unpause transaction at a time. */
const CHAIN_SYNC_LOCK = 0x70617573; // "paus"

function view(row: Row): EmergencyStateView {
  return {
    paused: row.paused,
    reasonCode: row.reasonCode as ReasonCode | null,
    reason: row.reason,
    changedBy: row.changedBy,
    changedAt: row.changedAt?.toISOString() ?? null,
    chain: { paused: row.chainPaused, txHash: row.chainTx, error: row.chainError },
  };
}

/**
 * The emergency stop (`custos emergency pause|unpause`). The decision is one row in PostgreSQL, changed and audited
 * in one transaction; every replica keeps a copy, refreshed on notification and every few seconds
 * (src/service/replicaState.ts), and refuses new attestations, credentials and delegations while it is on. The gatekeeper's own
 * pause switch then follows the decision: at once, and again from a background job for as long as it differs (a
 * chain outage, a crash between the two steps).
 */
export class EmergencyStop {
  private state: EmergencyStateView;

  private constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
    private readonly logger: Logger,
    row: Row,
  ) {
    this.state = view(row);
  }

  static async start(db: Database, chain: ChainOperator, logger: Logger): Promise<EmergencyStop> {
    return new EmergencyStop(
      db,
      chain,
      logger,
      await db.emergencyState.findUniqueOrThrow({ where: { id: true } }),
    );
  }

  /** The state as this process applies it. */
  current(): EmergencyStateView {
    return this.state;
  }

  /** Re-reads the state (on notification, and periodically for a missed one). */
  async refresh(): Promise<EmergencyStateView> {
    this.state = view(await this.db.emergencyState.findUniqueOrThrow({ where: { id: true } }));
    return this.state;
  }

  /**
   * Refuses intake while the stop is on (attestations, credentials, delegations, executors' claims): the cheap early
   * answer; assertIssuingOpen decides for a request already under way.
   */
  assertIntakeOpen(): void {
    const { paused, changedAt, reasonCode } = this.state;
    if (paused) {
      throw new CustosError(
        'PAUSED',
        `the emergency stop is on (since ${changedAt}, ${reasonCode}): nothing is issued until it is lifted`,
      );
    }
  }

  pause(request: EmergencyRequest, actor: string): Promise<EmergencyStateView> {
    return this.set(true, request, actor);
  }

  unpause(request: EmergencyRequest, actor: string): Promise<EmergencyStateView> {
    return this.set(false, request, actor);
  }

  /**
   * Brings the gatekeeper's switch in line with the decision, then records what it saw. A failure (no PAUSER_ROLE,
   * an outage) is recorded and logged, not thrown: the service's own stop is what holds meanwhile.
   */
  async syncChain(): Promise<EmergencyStateView> {
    await withAdvisoryLock(this.db, CHAIN_SYNC_LOCK, async () => {
      const desired = await this.db.emergencyState.findUniqueOrThrow({ where: { id: true } });
      try {
        let chainPaused = await this.chain.paused();
        let txHash = desired.chainTx;
        if (chainPaused !== desired.paused) {
          txHash = (await this.chain.setPaused(desired.paused)).txHash;
          chainPaused = desired.paused;
          await this.db.$transaction(async (tx) => {
            await tx.emergencyState.update({
              where: { id: true },
              data: { chainPaused, chainTx: txHash, chainError: null },
            });
            await appendAuditEvent(tx, {
              type: 'emergency.chain_synced',
              actor: 'custos:emergency',
              payload: { paused: chainPaused, txHash },
            });
          });
        } else if (desired.chainPaused !== chainPaused || desired.chainError !== null) {
          await this.db.emergencyState.update({
            where: { id: true },
            data: { chainPaused, chainError: null },
          });
        }
      } catch (error) {
        const message = (error as Error).message.slice(0, 500);
        // Said and stored once per distinct failure: every write notifies every replica.
        if (message !== desired.chainError) {
          this.logger.error(
            { err: error, paused: desired.paused },
            "the gatekeeper's pause switch does not follow the emergency stop; retrying",
          );
          await this.db.emergencyState.update({ where: { id: true }, data: { chainError: message } });
        }
      }
    });
    return this.refresh();
  }

  private async set(paused: boolean, request: EmergencyRequest, actor: string): Promise<EmergencyStateView> {
    await withDatabase(() =>
      this.db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ paused: boolean }[]>`
          SELECT paused FROM emergency_state WHERE id FOR UPDATE`;
        if (row!.paused === paused) {
          throw new CustosError(
            paused ? 'ALREADY_PAUSED' : 'NOT_PAUSED',
            paused ? 'the emergency stop is already on' : 'the emergency stop is not on',
          );
        }
        await tx.emergencyState.update({
          where: { id: true },
          data: {
            paused,
            reasonCode: request.reasonCode,
            reason: request.reason,
            changedBy: actor,
            changedAt: new Date(),
          },
        });
        await appendAuditEvent(tx, {
          type: paused ? 'emergency.paused' : 'emergency.unpaused',
          actor,
          payload: { reasonCode: request.reasonCode, reason: request.reason },
        });
      }),
    );
    // Applied here at once, before the chain (a slow receipt must not delay this process's stop).
    await withDatabase(() => this.refresh());
    try {
      return await this.syncChain();
    } catch (error) {
      // Decided and applied here already; the background job carries the chain along.
      this.logger.warn({ err: error }, 'emergency stop changed; the gatekeeper follows on the next sync');
      return this.state;
    }
  }
}
