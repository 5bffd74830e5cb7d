import { z } from 'zod';
import { toChecksumAddress } from './checksum.js';
import { iso3166Problem } from './countries.js';

/**
 * The exact grammar of every value callers send, defined once: routes, the OpenAPI document and clients' types all
 * come from these schemas. Each refuses at the edge what would otherwise fail deeper (PostgreSQL rejects NUL and
 * unpaired surrogates; bigint columns overflow; calendars have no 30 February) or be read two ways.
 */

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/**
 * An EVM address: `0x` and 40 hex digits, all lower-case, all upper-case or correctly checksummed (EIP-55); never
 * the zero address. Returned checksummed. Prefix-less and ICAP forms are refused: they are easy to mistype.
 */
export const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { message: 'must be 0x followed by 40 hex digits', abort: true })
  .refine(
    (value) => {
      const digits = value.slice(2);
      if (digits === digits.toLowerCase() || digits === digits.toUpperCase()) return true;
      return toChecksumAddress(value) === value;
    },
    { message: 'has mixed case but not a valid EIP-55 checksum' },
  )
  .transform((value) => toChecksumAddress(value))
  .refine((value) => value !== ZERO_ADDRESS, { message: 'must not be the zero address' })
  .meta({
    id: 'Address',
    description:
      'An EVM address: 0x and 40 hex digits, lower-case, upper-case or EIP-55 checksummed; not zero.',
    example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  });

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** A 32-byte value: `0x` and 64 hex digits, returned lower-case. */
export const bytes32 = z
  .string()
  .regex(BYTES32, { message: 'must be 0x and 64 hex digits' })
  .transform((value) => value.toLowerCase())
  .meta({ id: 'Bytes32', description: '32 bytes: 0x and 64 hex digits.' });

/** A function selector: `0x` and 8 hex digits, returned lower-case. */
export const selector = z
  .string()
  .regex(/^0x[0-9a-fA-F]{8}$/, { message: 'must be a function selector: 0x and 8 hex digits' })
  .transform((value) => value.toLowerCase())
  .meta({ id: 'Selector', description: 'A function selector: 0x and 8 hex digits.', example: '0xa9059cbb' });

/** The most calldata an action may carry: far above any gated call's arguments, far below the body limit. */
export const MAX_CALLDATA_BYTES = 4096;

/**
 * Calldata: `0x`, a 4-byte selector and the ABI-encoded arguments (whole 32-byte words), at most
 * {@link MAX_CALLDATA_BYTES} bytes; returned lower-case.
 */
export const calldata = z
  .string()
  .max(2 + 2 * MAX_CALLDATA_BYTES, { message: `must be at most ${MAX_CALLDATA_BYTES} bytes`, abort: true })
  .regex(/^0x[0-9a-fA-F]{8}(?:[0-9a-fA-F]{64})*$/, {
    message: 'must be 0x, a 4-byte selector and ABI-encoded arguments in whole 32-byte words',
  })
  .transform((value) => value.toLowerCase())
  .meta({ id: 'Calldata', description: 'A selector and its ABI-encoded arguments, hex.' });

/** An attestation or credential uid (bytes32), lower-case. */
export const uid = z
  .string()
  .regex(BYTES32, { message: 'must be an attestation uid: 0x and 64 hex digits' })
  .transform((value) => value.toLowerCase())
  .meta({
    id: 'Uid',
    description: 'An attestation or credential uid: 0x and 64 hex digits.',
    example: '0x9f3a6c0b8b1e4f2d7a5c3e1b9d8f7a6e5c4b3a2918f7e6d5c4b3a291807f6e5d',
  });

/**
 * Human text: trimmed, `min` to `max` characters, no control characters (NUL among them, which PostgreSQL cannot
 * store) and no unpaired UTF-16 surrogates (not Unicode text at all).
 */
export function text(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min, { message: `must be at least ${min} characters` })
    .max(max, { message: `must be at most ${max} characters` })
    .refine((value) => value.isWellFormed(), {
      message: 'must be valid Unicode (an unpaired surrogate was sent)',
    })
    .refine((value) => !/\p{Cc}/u.test(value.replace(/[\t\n]/g, '')), {
      message: 'must not contain control characters',
    });
}

/** A short identifier such as a provider or list name: letters, digits and `._-`, starting with a letter or digit. */
export function slug(max: number) {
  return z.string().regex(new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${max - 1}}$`), {
    message: `must be 1 to ${max} letters, digits or ._- (starting with a letter or digit)`,
  });
}

/** The earliest birth date accepted: anything older is a data-entry error, not a person. */
export const EARLIEST_BIRTH_YEAR = 1900;

/** A calendar date `YYYY-MM-DD` that exists (no 2024-02-30), from 1900 on and not in the future. */
export const birthDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be YYYY-MM-DD', abort: true })
  .refine((value) => new Date(`${value}T00:00:00Z`).toJSON()?.startsWith(value) === true, {
    message: 'is not a calendar date',
    abort: true,
  })
  .refine((value) => Number(value.slice(0, 4)) >= EARLIEST_BIRTH_YEAR, {
    message: `must be ${EARLIEST_BIRTH_YEAR}-01-01 or later`,
  })
  .refine((value) => new Date(`${value}T00:00:00Z`).getTime() <= Date.now(), { message: 'is in the future' });

/** An ISO 3166-1 alpha-2 country code, upper-case; the error names the right code for common mistakes. */
export const countryCode = z.string().superRefine((value, ctx) => {
  const problem = iso3166Problem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Instants between these years only: PostgreSQL's timestamps and JavaScript dates agree on them. */
const INSTANT_YEARS = { min: 1970, max: 9999 };

/** An ISO 8601 date-time with an offset (`Z` or `+02:00`), from 1970 to 9999, returned as a Date. */
export const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-11-22T00:00:00Z' })
  .transform((value) => new Date(value))
  .refine(
    (date) =>
      !Number.isNaN(date.getTime()) &&
      date.getUTCFullYear() >= INSTANT_YEARS.min &&
      date.getUTCFullYear() <= INSTANT_YEARS.max,
    { message: `must be between ${INSTANT_YEARS.min} and ${INSTANT_YEARS.max}` },
  );

/** The largest value of a PostgreSQL bigint: sequence numbers and cursors stay below it. */
export const MAX_INT64 = 2n ** 63n - 1n;

/** A positive sequence number or cursor (decimal, at most int64), as a bigint. */
export const sequenceNumber = z
  .string()
  .regex(/^\d{1,19}$/, { message: 'must be a decimal number', abort: true })
  .transform((value) => BigInt(value))
  .refine((value) => value <= MAX_INT64, { message: `must be at most ${MAX_INT64}` });

/**
 * An AWS KMS key reference as the KMS API accepts it: a key id (a UUID or a multi-Region `mrk-` id), a key ARN, an
 * alias (`alias/name`) or an alias ARN.
 */
export const kmsKeyId = z
  .string()
  .regex(
    /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]{1,250}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias\/[A-Za-z0-9/_-]{1,250}))$/,
    { message: 'must be a KMS key id, key ARN, alias/<name> or alias ARN' },
  );

/** The BN254 scalar field modulus: the circuit's arithmetic is modulo this prime. */
export const SNARK_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A BN254 field element other than 0, as a decimal or 0x-hex string (JSON numbers cannot hold 254 bits). */
export const fieldElement = z
  .string()
  .regex(/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/, {
    message: 'must be a decimal or 0x-hex string',
    abort: true,
  })
  .transform((value) => BigInt(value))
  .refine((value) => value > 0n && value < SNARK_FIELD, {
    message: 'must be a field element: above 0 and below the BN254 scalar field modulus',
  })
  .meta({ id: 'FieldElement', description: 'A BN254 field element above 0, decimal or 0x-hex.' });

/** A policy name as the policies file defines it: lower-case, digits and dashes. */
export const policyName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, {
    message: 'must be a policy name: lower-case letters, digits and dashes',
  })
  .meta({ id: 'PolicyName', example: 'kyc-basic' });

/** A retry key: the same key and request get the same attestation back. */
export const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, { message: '1 to 128 letters, digits or _.:-' })
  .meta({ description: 'The same key and request get the same attestation back (per tenant).' });

/** Unix seconds. */
export const unixSeconds = z.number().int().min(0);

/** A path parameter that is a credential id. */
export const credentialId = z.coerce
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

/** What an API key may do: each operation names the roles it serves (executors run agents' executions). */
export const ROLES = ['dapp', 'officer', 'regulator', 'admin', 'executor'] as const;
export type Role = (typeof ROLES)[number];
