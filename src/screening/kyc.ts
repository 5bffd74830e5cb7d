import { createHmac, timingSafeEqual } from 'node:crypto';
import { getAddress, isAddress } from 'ethers';
import { z } from 'zod';
import { appendAuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import { isIso3166Alpha2 } from './jurisdiction.js';
import { KYC_STATUSES } from './policies.js';

export const subjectAddress = z
  .string()
  .refine((value) => isAddress(value), {
    message: 'must be a 0x address (a mixed-case address must be checksummed)',
  })
  .transform((value) => getAddress(value))
  .refine((value) => value !== '0x0000000000000000000000000000000000000000', {
    message: 'must not be the zero address',
  });

/** A KYC record as a provider or an officer sets it. */
export const kycInputSchema = z
  .object({
    subject: subjectAddress,
    status: z.enum(KYC_STATUSES),
    country: z
      .string()
      .refine(isIso3166Alpha2, { message: 'must be an ISO 3166-1 alpha-2 country code' })
      .optional(),
    birthDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be YYYY-MM-DD' })
      .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), { message: 'is not a date' })
      .optional(),
    accredited: z.boolean().default(false),
    riskScore: z.number().int().min(0).max(100).optional(),
    provider: z.string().min(1).max(64),
    reference: z.string().max(128).optional(),
  })
  .strict();

export type KycInput = z.infer<typeof kycInputSchema>;

export interface SetKycResult {
  applied: boolean;
}

/**
 * Stores the subject's KYC record and audits the change (status, provider and reference only: no personal data in
 * the log). `asOf` is when the provider made the decision: an update older than the stored one is ignored, so a
 * replayed or reordered webhook cannot roll a subject's status back.
 */
export async function setKycRecord(
  db: Database,
  input: KycInput,
  actor: string,
  asOf = new Date(),
): Promise<SetKycResult> {
  return db.$transaction(async (tx) => {
    const current = await tx.kycRecord.findUnique({
      where: { subject: input.subject },
      select: { updatedAt: true },
    });
    if (current && current.updatedAt > asOf) return { applied: false };
    const data = {
      status: input.status,
      country: input.country ?? null,
      birthDate: input.birthDate ? new Date(`${input.birthDate}T00:00:00Z`) : null,
      accredited: input.accredited,
      riskScore: input.riskScore ?? null,
      provider: input.provider,
      reference: input.reference ?? null,
      updatedAt: asOf,
    };
    await tx.kycRecord.upsert({
      where: { subject: input.subject },
      create: { subject: input.subject, ...data },
      update: data,
    });
    await appendAuditEvent(tx, {
      type: 'kyc.updated',
      actor,
      subject: input.subject,
      payload: { status: input.status, provider: input.provider, reference: input.reference ?? null },
    });
    return { applied: true };
  });
}

export interface WebhookCheck {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  now: Date;
  toleranceSeconds: number;
}

export type WebhookVerdict = { ok: true; timestamp: Date } | { ok: false; code: string; message: string };

/**
 * Provider webhooks carry `X-Custos-Timestamp` (unix seconds) and `X-Custos-Signature: sha256=<hex>`, the
 * HMAC-SHA256 of `<timestamp>.<raw body>` under the shared secret. Compared in constant time; stale timestamps are
 * refused so a captured request cannot be replayed later.
 */
export function verifyWebhook(check: WebhookCheck): WebhookVerdict {
  if (!check.timestamp || !/^\d{1,12}$/.test(check.timestamp)) {
    return {
      ok: false,
      code: 'WEBHOOK_TIMESTAMP_MISSING',
      message: 'X-Custos-Timestamp must be unix seconds',
    };
  }
  const sentAt = Number(check.timestamp);
  if (Math.abs(check.now.getTime() / 1000 - sentAt) > check.toleranceSeconds) {
    return {
      ok: false,
      code: 'WEBHOOK_STALE',
      message: `the webhook timestamp is more than ${check.toleranceSeconds}s away`,
    };
  }
  const provided = /^sha256=([0-9a-f]{64})$/.exec(check.signature ?? '')?.[1];
  const expected = createHmac('sha256', check.secret)
    .update(`${check.timestamp}.`)
    .update(check.rawBody)
    .digest();
  if (!provided || !timingSafeEqual(Buffer.from(provided, 'hex'), expected)) {
    return { ok: false, code: 'WEBHOOK_SIGNATURE_INVALID', message: 'the webhook signature does not match' };
  }
  return { ok: true, timestamp: new Date(sentAt * 1000) };
}

/** Signs a webhook body the way verifyWebhook expects (for providers' integration and for tests). */
export function signWebhook(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}
