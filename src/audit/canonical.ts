/** A value JSON can carry, as PostgreSQL's jsonb stores it and reads it back. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A payload holds something the audit log cannot store exactly as it would hash it. */
export class AuditEncodingError extends Error {
  constructor(path: string, problem: string) {
    super(`audit payload ${path}: ${problem}`);
    this.name = 'AuditEncodingError';
  }
}

// jsonb refuses \u0000 (22P05) and unpaired surrogates (22P02); either would make the stored row differ from the
// hashed one, or fail the write after the hash was computed.
function checkText(text: string, path: string): string {
  if (text.includes('\u0000') || !text.isWellFormed()) {
    throw new AuditEncodingError(path, 'contains a NUL character or an unpaired UTF-16 surrogate');
  }
  return text;
}

/**
 * The JSON value an audit payload is stored as, computed once before hashing so that the hash covers exactly what
 * the database keeps: a Date becomes its ISO 8601 string and a bigint its decimal string (as JSON.stringify would
 * store them), properties that are undefined are dropped. Anything else that is not plain JSON data (functions,
 * symbols, Maps, Buffers, class instances, non-finite numbers, integers beyond 2^53) is refused instead of being
 * stored in one form and hashed in another.
 */
export function toJsonValue(value: unknown, path = '$'): JsonValue {
  switch (typeof value) {
    case 'string':
      return checkText(value, path);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new AuditEncodingError(path, `${value} is not a JSON number`);
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new AuditEncodingError(path, `${value} is not a safe integer (carry big numbers as strings)`);
      }
      return value;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new AuditEncodingError(path, 'is an invalid date');
        return value.toISOString();
      }
      if (Array.isArray(value)) return value.map((item, i) => toJsonValue(item ?? null, `${path}[${i}]`));
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new AuditEncodingError(path, 'is not a plain object, array, date or bigint');
      }
      const result: Record<string, JsonValue> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        // Defined, not assigned: a "__proto__" key stays a key instead of replacing the prototype.
        Object.defineProperty(result, checkText(key, path), {
          value: toJsonValue(item, `${path}.${key}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return result;
    }
    default:
      throw new AuditEncodingError(path, `a ${typeof value} cannot be stored as JSON`);
  }
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) over a JSON value: object keys sorted by UTF-16 code units at every
 * depth, no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does. One byte string per
 * value: the writer hashes it and the verifier recomputes it from the row read back.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}
