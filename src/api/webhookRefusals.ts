import type { Logger } from 'pino';
import { recordAuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { WebhookRefusal } from '../screening/index.js';
import type { Metrics } from './metrics.js';

/**
 * Webhook deliveries refused before authentication (no or bad signature, stale, from the future). Each is counted in
 * /metrics and logged at once; the audit log gets one aggregated event per interval and process, never one row per
 * refusal, so an unauthenticated caller cannot grow the hash-chained log.
 */
export class WebhookRefusals {
  private counts = new Map<WebhookRefusal, number>();
  private since = new Date();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  note(reason: WebhookRefusal, source: string | undefined): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.metrics.webhookRefusals.inc({ reason });
    this.logger.warn({ reason, source }, 'KYC webhook delivery refused');
  }

  /** Writes the refusals counted since the last flush as one `kyc.webhook_refusals` event (none if there were none). */
  async flush(db: Database): Promise<void> {
    if (this.counts.size === 0) return;
    const counts = Object.fromEntries(this.counts);
    const from = this.since;
    this.counts = new Map();
    this.since = new Date();
    try {
      await recordAuditEvent(db, {
        type: 'kyc.webhook_refusals',
        actor: 'system',
        payload: { from, to: this.since, counts },
      });
    } catch (error) {
      // Counted again at the next flush rather than lost with an unreachable database.
      for (const [reason, count] of Object.entries(counts) as [WebhookRefusal, number][]) {
        this.counts.set(reason, (this.counts.get(reason) ?? 0) + count);
      }
      this.since = from;
      throw error;
    }
  }
}
