import type pg from 'pg';
import type { Database } from '../db/index.js';
import { canonicalJson, toJsonValue } from './canonical.js';
import type { AuditEventType } from './eventTypes.js';
import { CURRENT_HASH_VERSION, GENESIS_HASH, chainHash, type AuditRecord } from './chain.js';

/** A Prisma interactive-transaction client: audit events are written inside the caller's transaction. */
export type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];

export interface AuditEventInput {
  type: AuditEventType;
  /** Who caused it: an API key id, `cli:<user>`, `system`, a webhook provider. */
  actor: string;
  tenantId?: string | null;
  subject?: string | null;
  attestationUid?: string | null;
  /**
   * Decision details, reasons, list versions. No secrets and no raw personal data. Dates and bigints are stored (and
   * hashed) as strings; anything toJsonValue refuses throws before a row is written.
   */
  payload: Record<string, unknown>;
}

export interface ChainedAuditEvent extends AuditRecord {
  prevHash: Buffer;
  hash: Buffer;
}

/** Serialises writers of the chain; any constant shared by every Custos process. */
const AUDIT_CHAIN_LOCK = 0x61756469; // "audi"

/** Numbers `inputs` after `last` and links each to the one before it. */
export function chainAfter(
  last: { seq: bigint; hash: Uint8Array } | null,
  inputs: AuditEventInput[],
): ChainedAuditEvent[] {
  let seq = last?.seq ?? 0n;
  let prevHash: Buffer = last ? Buffer.from(last.hash) : GENESIS_HASH;
  // JavaScript dates carry milliseconds, exactly what a timestamptz(3) column keeps: stored rows rehash the same.
  const createdAt = new Date();
  return inputs.map((input) => {
    const record: AuditRecord = {
      seq: ++seq,
      type: input.type,
      actor: input.actor,
      tenantId: input.tenantId ?? null,
      subject: input.subject ?? null,
      attestationUid: input.attestationUid ?? null,
      payload: toJsonValue(input.payload, `${input.type} payload`),
      createdAt,
      hashVersion: CURRENT_HASH_VERSION,
    };
    const hash = chainHash(prevHash, record);
    const event = { ...record, prevHash, hash };
    prevHash = hash;
    return event;
  });
}

/**
 * Appends one event to the hash chain inside the Prisma transaction `tx`. The transaction-scoped advisory lock
 * makes appends from every process strictly sequential, so `seq` has no gaps and each event hashes the one before
 * it; the event commits or rolls back with the caller's own writes.
 */
export async function appendAuditEvent(tx: Transaction, input: AuditEventInput): Promise<ChainedAuditEvent> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const [event] = chainAfter(last, [input]);
  await tx.auditEvent.create({
    data: {
      ...event!,
      payload: event!.payload as object,
      prevHash: new Uint8Array(event!.prevHash),
      hash: new Uint8Array(event!.hash),
    },
  });
  return event!;
}

/** Appends one event in its own transaction. */
export async function recordAuditEvent(db: Database, input: AuditEventInput): Promise<ChainedAuditEvent> {
  return db.$transaction((tx) => appendAuditEvent(tx, input));
}

const COLUMNS = [
  'seq',
  'type',
  'actor',
  'tenant_id',
  'subject',
  'attestation_uid',
  'payload',
  'created_at',
  'hash_version',
  'prev_hash',
  'hash',
];

/** The same append for many events in one statement, on a node-postgres client inside an open transaction. */
export async function appendAuditEvents(
  client: pg.ClientBase,
  inputs: AuditEventInput[],
): Promise<ChainedAuditEvent[]> {
  // Lock and chain head in one round trip (a constant, so the two statements can share a simple query).
  const [, head] = (await client.query(
    `SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}); SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`,
  )) as unknown as [unknown, pg.QueryResult<{ seq: string; hash: Buffer }>];
  const rows = head.rows;
  const events = chainAfter(rows[0] ? { seq: BigInt(rows[0].seq), hash: rows[0].hash } : null, inputs);
  await insertAuditEvents(client, events);
  return events;
}

/** Writes events already numbered and chained, in one multi-row INSERT (at most 6,500 per call). */
export async function insertAuditEvents(
  client: pg.ClientBase | pg.Pool,
  events: ChainedAuditEvent[],
): Promise<void> {
  const values = events.flatMap((e) => [
    e.seq.toString(),
    e.type,
    e.actor,
    e.tenantId,
    e.subject,
    e.attestationUid,
    canonicalJson(e.payload),
    e.createdAt,
    e.hashVersion,
    e.prevHash,
    e.hash,
  ]);
  await client.query(
    `INSERT INTO audit_events (${COLUMNS.join(', ')}) VALUES ${placeholders(events.length, COLUMNS.length)}`,
    values,
  );
}

/** `($1, $2), ($3, $4)` for a multi-row INSERT. */
export function placeholders(rows: number, columns: number): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`,
  ).join(', ');
}
