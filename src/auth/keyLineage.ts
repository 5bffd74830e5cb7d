import type { Database } from '../db/index.js';

const KEY_ACTOR = /^api-key:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The API key id an actor names (`api-key:<id>`), or null for another kind of actor (a token, the CLI). */
function keyIdOf(actor: string): string | null {
  return KEY_ACTOR.exec(actor)?.[1] ?? null;
}

/**
 * Whether `actor` and `other` may be the same holder: the same actor, keys of one lineage (a rotation's successor, or
 * its predecessor during the overlap), or a key that one's lineage made, directly or through keys it made (created
 * or rotated: whoever made a key has seen its secret), in either direction.
 */
export async function sameKeyHolder(
  db: Pick<Database, '$queryRaw'>,
  actor: string,
  other: string,
): Promise<boolean> {
  if (actor === other) return true;
  const [actorKey, otherKey] = [keyIdOf(actor), keyIdOf(other)];
  if (!actorKey || !otherKey) return false;
  return (await heldBy(db, actorKey, otherKey)) || (await heldBy(db, otherKey, actorKey));
}

/** Whether `key` is in the lineage of `holder`'s key or of a key that lineage made (transitively). */
async function heldBy(db: Pick<Database, '$queryRaw'>, holder: string, key: string): Promise<boolean> {
  const [row] = await db.$queryRaw<{ held: boolean }[]>`
    WITH RECURSIVE held(lineage_id) AS (
      SELECT lineage_id FROM api_keys WHERE id = ${holder}::uuid
      UNION
      SELECT made.lineage_id FROM api_keys made
        JOIN api_keys maker ON made.created_by = 'api-key:' || maker.id::text
        JOIN held ON maker.lineage_id = held.lineage_id
    )
    SELECT EXISTS (SELECT 1 FROM api_keys k JOIN held USING (lineage_id) WHERE k.id = ${key}::uuid) AS held`;
  return row?.held ?? false;
}

/**
 * Whether the holder of `actor`'s key can still authenticate: some key of its lineage (the key itself, or its
 * rotation's successor) is neither revoked nor expired. Actors that are not API keys have no key to lose.
 */
export async function keyHolderLive(db: Pick<Database, '$queryRaw'>, actor: string): Promise<boolean> {
  const keyId = keyIdOf(actor);
  if (!keyId) return true;
  const [row] = await db.$queryRaw<{ live: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM api_keys k JOIN api_keys mine ON k.lineage_id = mine.lineage_id
      WHERE mine.id = ${keyId}::uuid AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
    ) AS live`;
  return row?.live ?? false;
}
