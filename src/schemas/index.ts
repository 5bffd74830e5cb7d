// The grammar of every value callers send: one definition each, for validation, OpenAPI and clients' types.
export {
  EARLIEST_BIRTH_YEAR,
  MAX_INT64,
  address,
  birthDate,
  bytes32,
  countryCode,
  instant,
  kmsKeyId,
  sequenceNumber,
  slug,
  text,
  uid,
} from './primitives.js';
