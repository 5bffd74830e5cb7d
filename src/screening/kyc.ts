import { address, kycWebhookBody } from '@custos/sdk/api';
import type { z } from 'zod';
import { appendAuditEvent, type Transaction } from '../audit/index.js';
import type { ReadScope } from '../auth/index.js';
import type { Database } from '../db/index.js';
import { liftHolds } from './holds.js';

/** A subject address: the one grammar for every address a caller names. */
export const subjectAddress = address;

/** A KYC record as it is stored: the webhook's body, or an officer's with the subject from the path. */
export const kycInputSchema = kycWebhookBody;

export type KycInput = z.infer<typeof kycInputSchema>;

/**
 * Who decided. An officer's decision is stored when it arrives. A provider's carries the time it signed: it is
 * applied only when it is newer than the newest provider event already applied and than the officer's decision now
 * in force, so a provider event cannot undo a later manual decision, and the caller's clock orders nothing else.
 */
export type KycDecision =
  { by: 'officer'; actor: string; scope: ReadScope } | { by: 'provider'; actor: string; signedAt: Date };

export type SetKycResult =
  { applied: true } | { applied: false; reason: 'older-than-officer-decision' | 'older-than-current-event' };

interface CurrentDecision {
  decided_by: string;
  updated_at: Date;
  provider_event_at: Date | null;
}

/** Why a provider event must not replace `current`; null when it may. */
function supersededBy(current: CurrentDecision | undefined, signedAt: Date) {
  if (!current) return null;
  if (current.decided_by === 'officer' && signedAt <= current.updated_at)
    return 'older-than-officer-decision';
  if (current.provider_event_at && signedAt < current.provider_event_at) return 'older-than-current-event';
  return null;
}

/**
 * Stores the subject's KYC record and audits the change (status, provider and reference only: no personal data in
 * the log), or audits why a provider event was not applied. An approval lifts the holds on the subject placed before
 * it (an officer's, those of its own tenant). Decisions about one subject are serialised by a
 * transaction-scoped advisory lock, so their order is the server's. `inTransaction` runs first in the same
 * transaction (the webhook's replay guard), so a refused delivery stores nothing.
 */
export async function setKycRecord(
  db: Database,
  input: KycInput,
  decision: KycDecision,
  inTransaction?: (tx: Transaction) => Promise<void>,
): Promise<SetKycResult> {
  return db.$transaction(async (tx) => {
    await inTransaction?.(tx);
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`kyc:${input.subject}`}))`;
    const [current] = await tx.$queryRaw<CurrentDecision[]>`
      SELECT decided_by, updated_at, provider_event_at FROM kyc_records WHERE subject = ${input.subject}`;
    const auditFields = {
      status: input.status,
      provider: input.provider,
      reference: input.reference ?? null,
    };
    if (decision.by === 'provider') {
      const reason = supersededBy(current, decision.signedAt);
      if (reason) {
        await appendAuditEvent(tx, {
          type: 'kyc.webhook_ignored',
          actor: decision.actor,
          subject: input.subject,
          payload: { ...auditFields, signedAt: decision.signedAt, reason },
        });
        return { applied: false, reason };
      }
    }
    const data = {
      status: input.status,
      country: input.country ?? null,
      birthDate: input.birthDate ? new Date(`${input.birthDate}T00:00:00Z`) : null,
      accredited: input.accredited,
      riskScore: input.riskScore ?? null,
      provider: input.provider,
      reference: input.reference ?? null,
      updatedAt: new Date(),
      decidedBy: decision.by,
      providerEventAt: decision.by === 'provider' ? decision.signedAt : (current?.provider_event_at ?? null),
    };
    await tx.kycRecord.upsert({
      where: { subject: input.subject },
      create: { subject: input.subject, ...data },
      update: data,
    });
    await appendAuditEvent(tx, {
      type: 'kyc.updated',
      actor: decision.actor,
      subject: input.subject,
      payload: {
        ...auditFields,
        decidedBy: decision.by,
        ...(decision.by === 'provider' ? { signedAt: decision.signedAt } : {}),
      },
    });
    if (input.status === 'approved') {
      await liftHolds(tx, {
        subject: input.subject,
        scope: decision.by === 'officer' ? decision.scope : 'all-tenants',
        reasonCode: 'OTHER',
        reason: 'KYC re-approved',
        actor: decision.actor,
        placedBefore: decision.by === 'provider' ? decision.signedAt : data.updatedAt,
      });
    }
    return { applied: true };
  });
}
