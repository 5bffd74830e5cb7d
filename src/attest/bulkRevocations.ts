import type { bulkRevocationView, ReasonCode } from '@custos/sdk/api';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { appendAuditEvent } from '../audit/index.js';
import type { ReadScope } from '../auth/index.js';
import { withTryAdvisoryLock, type Database } from '../db/index.js';
import { CustosError, isUnreachable } from '../errors/index.js';
import type { RevocationService } from './revocationService.js';

export type BulkRevocationView = z.output<typeof bulkRevocationView>;

export interface BulkRequest {
  targets: string[];
  reasonCode: ReasonCode;
  reason: string;
}

export interface BulkRequester {
  actor: string;
  tenantId: string | null;
  scope: ReadScope;
}

/** Targets revoked per pass: one registry transaction (revokeBatch) each. */
export const BULK_BATCH = 100;

type Row = NonNullable<Awaited<ReturnType<Database['bulkRevocation']['findFirst']>>>;

function view(row: Row): BulkRevocationView {
  return {
    id: row.id,
    status: row.status as BulkRevocationView['status'],
    total: (row.targets as string[]).length,
    processed: row.processed,
    revoked: row.revoked,
    already: row.already,
    notFound: row.notFound,
    transactions: row.transactions as string[],
    error: row.error,
    reasonCode: row.reasonCode as ReasonCode,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A job's lock key: any process may work on a job, one at a time. */
const lockOf = (id: string) => 0x62756c6b ^ Number.parseInt(id.slice(0, 8), 16); // "bulk"

/**
 * Bulk revocations (`custos revoke --file`): the targets are stored, then revoked BULK_BATCH at a time, each batch
 * marked in the database and sent on-chain in one transaction, its progress committed after it. A crash or a chain
 * outage stops a job where it is; `resume` (at start-up and on a schedule) carries on from there, and a batch run
 * twice changes nothing the second time.
 */
export class BulkRevocations {
  constructor(
    private readonly db: Database,
    private readonly revocations: RevocationService,
    private readonly logger: Logger,
  ) {}

  /** Stores the job, audits it, and starts it in the background. */
  async start(request: BulkRequest, requester: BulkRequester): Promise<BulkRevocationView> {
    const targets = [...new Set(request.targets)];
    const row = await this.db.$transaction(async (tx) => {
      const created = await tx.bulkRevocation.create({
        data: {
          targets,
          reasonCode: request.reasonCode,
          reason: request.reason,
          actor: requester.actor,
          scope: requester.scope,
          tenantId: requester.tenantId,
        },
      });
      await appendAuditEvent(tx, {
        type: 'bulk_revocation.started',
        actor: requester.actor,
        tenantId: requester.tenantId,
        payload: {
          bulkId: created.id,
          targets: targets.length,
          reasonCode: request.reasonCode,
          reason: request.reason,
        },
      });
      return created;
    });
    void this.run(row.id);
    return view(row);
  }

  async get(id: string, scope: ReadScope): Promise<BulkRevocationView> {
    const row = await this.db.bulkRevocation.findUnique({ where: { id } });
    if (!row || (scope !== 'all-tenants' && (row.tenantId === null || !scope.includes(row.tenantId)))) {
      throw new CustosError('NOT_FOUND', `bulk revocation ${id} not found`);
    }
    return view(row);
  }

  /** Carries on with every job still running (one a crash or an outage stopped). */
  async resume(): Promise<void> {
    const running = await this.db.bulkRevocation.findMany({
      where: { status: 'running' },
      select: { id: true },
    });
    for (const { id } of running) await this.run(id);
  }

  /** Works on job `id` unless another process is; an outage leaves it running, to be resumed. */
  private async run(id: string): Promise<void> {
    try {
      await withTryAdvisoryLock(this.db, lockOf(id), () => this.work(id));
    } catch (error) {
      if ((error instanceof CustosError && error.status === 503) || isUnreachable(error)) {
        this.logger.warn({ err: error, bulkId: id }, 'bulk revocation paused; it resumes on the next run');
        return;
      }
      // Not an outage: running it again would fail the same way.
      this.logger.error({ err: error, bulkId: id }, 'bulk revocation failed');
      await this.db.bulkRevocation
        .update({
          where: { id },
          data: { status: 'failed', error: (error as Error).message, updatedAt: new Date() },
        })
        .catch((failure: unknown) =>
          this.logger.warn({ err: failure, bulkId: id }, 'could not mark it failed'),
        );
    }
  }

  private async work(id: string): Promise<void> {
    for (;;) {
      const job = await this.db.bulkRevocation.findUniqueOrThrow({ where: { id } });
      if (job.status !== 'running') return;
      const targets = job.targets as string[];
      const batch = targets.slice(job.processed, job.processed + BULK_BATCH);
      if (batch.length === 0) return this.finish(job);
      const outcomes = await this.revocations.revokeMany(batch, {
        reasonCode: job.reasonCode as ReasonCode,
        reason: job.reason,
        actor: job.actor,
        scope: job.scope as ReadScope,
      });
      const transactions = new Set(job.transactions as string[]);
      for (const { result } of outcomes) if (result.txHash) transactions.add(result.txHash);
      await this.db.bulkRevocation.update({
        where: { id },
        data: {
          processed: job.processed + batch.length,
          revoked: job.revoked + outcomes.filter((o) => o.changed).length,
          already: job.already + outcomes.filter((o) => !o.changed && (o.bySubject || o.found > 0)).length,
          notFound: job.notFound + outcomes.filter((o) => !o.bySubject && o.found === 0).length,
          transactions: [...transactions],
          updatedAt: new Date(),
        },
      });
    }
  }

  private async finish(job: Row): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.bulkRevocation.update({
        where: { id: job.id },
        data: { status: 'done', updatedAt: new Date() },
      });
      await appendAuditEvent(tx, {
        type: 'bulk_revocation.finished',
        actor: job.actor,
        tenantId: job.tenantId,
        payload: { bulkId: job.id, revoked: job.revoked, already: job.already, notFound: job.notFound },
      });
    });
  }
}
