import { Router } from 'express';
import { recordAuditEvent } from '../../audit/index.js';
import { CustosError, withDatabase } from '../../errors/index.js';
import { kycInputSchema, setKycRecord, subjectAddress, verifyWebhook } from '../../screening/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate } from '../middleware.js';
import { validate } from '../validate.js';

export function kycRoutes(ctx: ApiContext): Router {
  const router = Router();

  /** Provider callbacks: HMAC over the raw body; a rejected call changes nothing and is audited. */
  router.post('/v1/kyc/webhook', async (req, res) => {
    const secret = ctx.env.KYC_WEBHOOK_SECRET;
    if (!secret) throw new CustosError('NOT_FOUND', 'the KYC webhook is not configured (KYC_WEBHOOK_SECRET)');
    const verdict = verifyWebhook({
      secret,
      timestamp: req.header('x-custos-timestamp'),
      signature: req.header('x-custos-signature'),
      rawBody: req.rawBody ?? Buffer.alloc(0),
      now: new Date(),
      toleranceSeconds: ctx.env.KYC_WEBHOOK_TOLERANCE_SECONDS,
    });
    if (!verdict.ok) {
      await withDatabase(() =>
        recordAuditEvent(ctx.db, {
          type: 'kyc.webhook_rejected',
          actor: 'webhook',
          payload: { code: verdict.code, ip: req.ip ?? null, bytes: req.rawBody?.length ?? 0 },
        }),
      );
      throw new CustosError('WEBHOOK_REJECTED', verdict.message, { reason: verdict.code });
    }
    const input = validate(kycInputSchema, req.body);
    const result = await withDatabase(() =>
      setKycRecord(ctx.db, input, `webhook:${input.provider}`, verdict.timestamp),
    );
    res.json({
      subject: input.subject,
      applied: result.applied,
      ...(result.applied ? {} : { note: 'a newer record is already stored' }),
    });
  });

  /** Officers set a record by hand (`custos kyc set`). */
  router.put('/v1/kyc/:subject', authenticate(ctx, ['officer', 'admin']), async (req, res) => {
    const subject = validate(subjectAddress, req.params.subject);
    const input = validate(kycInputSchema, { ...req.body, subject });
    await withDatabase(() => setKycRecord(ctx.db, input, actorOf(res)));
    res.json({ subject, applied: true });
  });
  return router;
}
