import { z } from 'zod';
import { address, birthDate, countryCode, slug, text } from './primitives.js';

export const KYC_STATUSES = ['approved', 'pending', 'rejected', 'expired'] as const;

const kycFields = {
  status: z.enum(KYC_STATUSES),
  country: countryCode.optional(),
  birthDate: birthDate.optional(),
  accredited: z.boolean().default(false),
  riskScore: z.number().int().min(0).max(100).optional(),
  provider: slug(64),
  reference: text(1, 128).optional(),
};

/** A KYC record as a provider's webhook sends it: the subject is in the body. */
export const kycWebhookBody = z
  .object({ subject: address, ...kycFields })
  .strict()
  .meta({
    id: 'KycWebhookBody',
    example: {
      subject: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      status: 'approved',
      country: 'DE',
      birthDate: '1990-04-01',
      riskScore: 12,
      provider: 'acme-kyc',
      reference: 'case-1234',
    },
  });

/** A KYC record as an officer sets it (`custos kyc set`): the subject is in the path. */
export const kycOfficerBody = z
  .object(kycFields)
  .strict()
  .meta({
    id: 'KycRecordBody',
    example: {
      status: 'approved',
      country: 'DE',
      birthDate: '1990-04-01',
      riskScore: 12,
      provider: 'manual',
    },
  });

export const kycParams = z.object({ subject: address });

export const webhookHeaders = z.object({
  'x-custos-timestamp': z.string().optional().describe('unix seconds, signed with the body'),
  'x-custos-signature': z
    .string()
    .optional()
    .describe('sha256=<hex>: HMAC-SHA256 of `<timestamp>.<raw body>`'),
});

export const kycResult = z
  .object({
    subject: z.string(),
    applied: z.boolean(),
    reason: z.enum(['older-than-officer-decision', 'older-than-current-event']).optional(),
  })
  .meta({ id: 'KycResult' });
