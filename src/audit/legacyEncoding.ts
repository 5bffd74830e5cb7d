import type { JsonValue } from './canonical.js';

/** Event types whose version-1 payloads could hold dates: the filters of audit reads and refused reads. */
const READ_EVENT_TYPES = new Set(['audit.read', 'audit.denied']);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The payload exactly as Custos 0.1 hashed it, for the one shape it hashed differently from what it stored; undefined
 * for every other event. Its canonical JSON walked a Date's own enumerable properties (there are none), so the
 * `from`/`to` filters of `audit.read` and `audit.denied` events were hashed as `{}` while the row kept their ISO
 * strings. No other version-1 payload ever held a Date. The verifier accepts this reading for version-1 events only
 * and counts them; history is never rewritten.
 */
export function legacyHashedPayload(type: string, payload: JsonValue): JsonValue | undefined {
  if (!READ_EVENT_TYPES.has(type) || !isObject(payload) || !isObject(payload.filters)) return undefined;
  const filters = { ...payload.filters };
  let changed = false;
  for (const bound of ['from', 'to']) {
    const value = filters[bound];
    if (typeof value === 'string' && ISO_INSTANT.test(value)) {
      filters[bound] = {};
      changed = true;
    }
  }
  return changed ? { ...payload, filters } : undefined;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
