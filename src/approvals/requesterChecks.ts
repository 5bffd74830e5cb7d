import { keyHolderLive, sameKeyHolder } from '../auth/index.js';
import type { Database } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';

/**
 * Refuses an approval by the requester themselves, however they hold the deciding key (the same key, one rotated
 * from or into it, or one their key made or that made theirs: SELF_APPROVAL), and one whose requester can no longer act (every key of
 * its lineage revoked or expired: REQUESTER_REVOKED), since the approved action runs as the requester.
 */
export async function assertApprovableBy(
  db: Pick<Database, '$queryRaw'>,
  requestedBy: string,
  approver: string,
): Promise<void> {
  if (await withDatabase(() => sameKeyHolder(db, requestedBy, approver))) {
    throw new CustosError('SELF_APPROVAL', 'a second officer must approve this: you requested it');
  }
  if (!(await withDatabase(() => keyHolderLive(db, requestedBy)))) {
    throw new CustosError(
      'REQUESTER_REVOKED',
      `the API key that requested this (${requestedBy}) is revoked or expired: it cannot run as its requester`,
    );
  }
}
