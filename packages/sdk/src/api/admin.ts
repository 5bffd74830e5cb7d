import { z } from 'zod';
import { ROLES, instant, slug, text } from './primitives.js';

export const tenantName = slug(64).meta({ id: 'TenantName', example: 'acme-exchange' });

export const createTenantRequest = z
  .object({ name: tenantName })
  .strict()
  .meta({ id: 'CreateTenantRequest' });

export const tenantView = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string(), apiKeys: z.number().int() })
  .meta({ id: 'Tenant' });
export const tenantList = z.object({ tenants: z.array(tenantView) });

export const createApiKeyRequest = z
  .object({
    tenant: tenantName,
    role: z.enum(ROLES),
    label: text(1, 100),
    rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
    expiresAt: instant
      .refine((date) => date.getTime() > Date.now(), { message: 'must be in the future' })
      .optional(),
  })
  .strict()
  .meta({
    id: 'CreateApiKeyRequest',
    example: { tenant: 'acme-exchange', role: 'dapp', label: 'production backend', rateLimitPerMinute: 6000 },
  });

/** An API key as listed: never its secret (only a hash of it is stored). */
export const apiKeyView = z
  .object({
    id: z.string(),
    prefix: z.string().describe('the key starts with cst_<prefix>_'),
    tenant: z.string(),
    tenantId: z.string(),
    role: z.enum(ROLES),
    label: z.string(),
    rateLimitPerMinute: z.number().int(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

/** A new key with its secret: the only time the secret exists outside its holder's hands. */
export const createdApiKey = z
  .object({ apiKey: apiKeyView, key: z.string().describe('the secret: shown once, stored only as a hash') })
  .meta({ id: 'CreatedApiKey' });

export const apiKeyList = z.object({ apiKeys: z.array(apiKeyView) });
export const apiKeyListQuery = z.object({ tenant: tenantName.optional() }).strict();
export const apiKeyParams = z.object({ id: z.uuid({ message: 'must be an API key id' }) });

export const rotateApiKeyRequest = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(3_600)
      .describe('how long the old key keeps working'),
  })
  .strict()
  .meta({ id: 'RotateApiKeyRequest' });

export const rotatedApiKey = z
  .object({ apiKey: apiKeyView, key: z.string(), previous: apiKeyView })
  .meta({ id: 'RotatedApiKey' });
