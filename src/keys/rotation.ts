import { appendAuditEvent } from '../audit/index.js';
import { SIGNER_TRUSTED_WITHOUT_END, type ChainOperator } from '../chain/index.js';
import type { Database } from '../db/index.js';
import { CustosError } from '../errors/index.js';
import type { KeyReference } from './openSigner.js';

/**
 * A rotation's progress. Each state is committed after the step that reaches it, so a crash anywhere leaves a state
 * the next run continues from:
 * - `staged`: the new key exists and is recorded (signing_keys status `staged`), nothing is on-chain yet;
 * - `trusted-on-chain`: the gatekeeper trusts the new key from its validFrom, without end;
 * - `old-window-cut`: the old key's window ends at overlapEndsAt;
 * - `active`: the database switched issuance to the new key (old key `retiring`), audited as `key.rotated`.
 */
export type RotationState = 'staged' | 'trusted-on-chain' | 'old-window-cut' | 'active';

export interface Rotation {
  id: bigint;
  previous: string;
  next: string;
  nextKey: KeyReference;
  /** Seconds: when the new key's trust starts. */
  nextValidFrom: number;
  /** Seconds: when the old key's trust ends. */
  overlapEndsAt: number;
  actor: string;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The rotation under way (at most one: a unique index says so), or null. */
export async function rotationUnderWay(db: Database): Promise<Rotation | null> {
  const row = await db.keyRotation.findFirst({ where: { state: { not: 'active' } } });
  if (!row) return null;
  const key = await db.signingKey.findUniqueOrThrow({ where: { address: row.nextAddress } });
  return {
    id: row.id,
    previous: row.previousAddress,
    next: row.nextAddress,
    nextKey: { backend: key.backend as KeyReference['backend'], keyRef: key.keyRef, address: key.address },
    nextValidFrom: seconds(key.validFrom),
    overlapEndsAt: seconds(row.overlapEndsAt),
    actor: row.actor,
  };
}

/**
 * Records the plan before anything is sent: the new key as `staged` and the rotation. Null when another rotation
 * got there first (the unique index refused this one; the caller checked the key is new): the caller completes that
 * one instead.
 */
export async function stageRotation(db: Database, plan: Omit<Rotation, 'id'>): Promise<Rotation | null> {
  try {
    return await db.$transaction(async (tx) => {
      await tx.signingKey.create({
        data: {
          address: plan.next,
          backend: plan.nextKey.backend,
          keyRef: plan.nextKey.keyRef,
          status: 'staged',
          validFrom: new Date(plan.nextValidFrom * 1000),
        },
      });
      const row = await tx.keyRotation.create({
        data: {
          previousAddress: plan.previous,
          nextAddress: plan.next,
          state: 'staged',
          overlapEndsAt: new Date(plan.overlapEndsAt * 1000),
          actor: plan.actor,
        },
      });
      return { ...plan, id: row.id };
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') return null;
    throw error;
  }
}

/**
 * Takes `rotation` from wherever it stands to `active`. Every chain step first reads the window the gatekeeper
 * holds and writes only what is missing, so a step repeated after a crash (sent, not yet recorded) sends nothing;
 * every state change is conditional on the state before it, so two processes completing the same rotation agree.
 */
export async function completeRotation(
  db: Database,
  chain: ChainOperator,
  rotation: Rotation,
): Promise<void> {
  for (;;) {
    const { state } = await db.keyRotation.findUniqueOrThrow({ where: { id: rotation.id } });
    switch (state as RotationState) {
      case 'staged':
        await trustNewKey(chain, rotation);
        await advance(db, rotation, 'staged', 'trusted-on-chain');
        break;
      case 'trusted-on-chain':
        await cutOldWindow(chain, rotation);
        await advance(db, rotation, 'trusted-on-chain', 'old-window-cut');
        break;
      case 'old-window-cut':
        await activate(db, rotation);
        break;
      case 'active':
        return;
    }
  }
}

async function trustNewKey(chain: ChainOperator, rotation: Rotation): Promise<void> {
  const window = await chain.signerWindow(rotation.next);
  if (window.validUntil === 0n) {
    await chain.setSigner(rotation.next, rotation.nextValidFrom);
    return;
  }
  if (window.validFrom !== rotation.nextValidFrom || window.validUntil !== SIGNER_TRUSTED_WITHOUT_END) {
    // Someone changed the new key's window outside this rotation (an admin removing it, say): not ours to undo.
    throw new CustosError(
      'INTERNAL',
      `key rotation to ${rotation.next} cannot continue: the gatekeeper holds another window for it (${window.validFrom}..${window.validUntil}); settle it on-chain, then retry`,
    );
  }
}

/** Cuts the old key's window to the overlap's end; never lengthens one that already ends sooner. */
async function cutOldWindow(chain: ChainOperator, rotation: Rotation): Promise<void> {
  const window = await chain.signerWindow(rotation.previous);
  if (window.validUntil > BigInt(rotation.overlapEndsAt)) {
    await chain.setSigner(rotation.previous, window.validFrom, rotation.overlapEndsAt);
  }
}

async function advance(db: Database, rotation: Rotation, from: RotationState, to: RotationState) {
  await db.keyRotation.updateMany({
    where: { id: rotation.id, state: from },
    data: { state: to, updatedAt: new Date() },
  });
}

/** The database switch, audited, in one transaction: only one process gets to make it. */
async function activate(db: Database, rotation: Rotation): Promise<void> {
  await db
    .$transaction(async (tx) => {
      await tx.signingKey.update({ where: { address: rotation.next }, data: { status: 'active' } });
      await tx.signingKey.update({
        where: { address: rotation.previous },
        data: { status: 'retiring', validUntil: new Date(rotation.overlapEndsAt * 1000) },
      });
      const { count } = await tx.keyRotation.updateMany({
        where: { id: rotation.id, state: 'old-window-cut' },
        data: { state: 'active', updatedAt: new Date() },
      });
      if (count === 0) throw new RotationRaced();
      await appendAuditEvent(tx, {
        type: 'key.rotated',
        actor: rotation.actor,
        payload: {
          previous: rotation.previous,
          current: rotation.next,
          backend: rotation.nextKey.backend,
          overlapEndsAt: rotation.overlapEndsAt,
        },
      });
    })
    .catch((error: unknown) => {
      // Another process activated it between our read and this transaction: the loop reads `active` and stops.
      if (!(error instanceof RotationRaced)) throw error;
    });
}

class RotationRaced extends Error {}
