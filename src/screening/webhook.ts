import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Transaction } from '../audit/index.js';
import { CustosError } from '../errors/index.js';

export interface WebhookCheck {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  now: Date;
  /** How old a delivery may be. */
  toleranceSeconds: number;
  /** How far ahead of this server's clock a provider's may run. */
  maxFutureSeconds: number;
}

export type WebhookRefusal =
  'WEBHOOK_TIMESTAMP_MISSING' | 'WEBHOOK_STALE' | 'WEBHOOK_FROM_FUTURE' | 'WEBHOOK_SIGNATURE_INVALID';

export type WebhookVerdict =
  { ok: true; signedAt: Date; digest: Buffer } | { ok: false; code: WebhookRefusal; message: string };

/**
 * Provider webhooks carry `X-Custos-Timestamp` (unix seconds) and `X-Custos-Signature: sha256=<hex>`, the
 * HMAC-SHA256 of `<timestamp>.<raw body>` under the shared secret. Compared in constant time. A delivery older
 * than the tolerance is refused so a captured one cannot be replayed later; one from further ahead than a small skew
 * is refused so a provider's clock cannot order it after decisions made since. Its digest identifies it for the
 * replay guard within the window.
 */
export function verifyWebhook(check: WebhookCheck): WebhookVerdict {
  if (!check.timestamp || !/^\d{1,12}$/.test(check.timestamp)) {
    return {
      ok: false,
      code: 'WEBHOOK_TIMESTAMP_MISSING',
      message: 'X-Custos-Timestamp must be unix seconds',
    };
  }
  const signedAt = Number(check.timestamp);
  const age = check.now.getTime() / 1000 - signedAt;
  if (age > check.toleranceSeconds) {
    return {
      ok: false,
      code: 'WEBHOOK_STALE',
      message: `the webhook timestamp is more than ${check.toleranceSeconds}s old`,
    };
  }
  if (-age > check.maxFutureSeconds) {
    return {
      ok: false,
      code: 'WEBHOOK_FROM_FUTURE',
      message: `the webhook timestamp is more than ${check.maxFutureSeconds}s ahead of this server's clock`,
    };
  }
  const provided = /^sha256=([0-9a-f]{64})$/.exec(check.signature ?? '')?.[1];
  const signed = Buffer.concat([Buffer.from(`${check.timestamp}.`), check.rawBody]);
  const expected = createHmac('sha256', check.secret).update(signed).digest();
  if (!provided || !timingSafeEqual(Buffer.from(provided, 'hex'), expected)) {
    return { ok: false, code: 'WEBHOOK_SIGNATURE_INVALID', message: 'the webhook signature does not match' };
  }
  return {
    ok: true,
    signedAt: new Date(signedAt * 1000),
    digest: createHash('sha256').update(signed).digest(),
  };
}

/** Signs a webhook body the way verifyWebhook expects (for providers' integration and for tests). */
export function signWebhook(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/**
 * Records a verified delivery inside the transaction that applies it; the same delivery again (same timestamp and
 * body) is 409 WEBHOOK_REPLAYED. Deliveries older than `windowSeconds` are pruned here: by then the timestamp check
 * refuses them anyway.
 */
export async function guardAgainstReplay(
  tx: Transaction,
  digest: Buffer,
  windowSeconds: number,
): Promise<void> {
  await tx.$executeRaw`DELETE FROM kyc_webhook_deliveries
                        WHERE received_at < now() - make_interval(secs => ${windowSeconds})`;
  const inserted =
    await tx.$executeRaw`INSERT INTO kyc_webhook_deliveries (digest) VALUES (${new Uint8Array(digest)})
                                        ON CONFLICT (digest) DO NOTHING`;
  if (inserted === 0) {
    throw new CustosError('WEBHOOK_REPLAYED', 'this webhook delivery was already received');
  }
}
