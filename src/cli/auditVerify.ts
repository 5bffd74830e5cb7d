import { readFileSync } from 'node:fs';
import type { auditVerification } from '@custos/sdk/api';
import type { z } from 'zod';
// Straight from the module, not the audit index: the CLI should not load the database client to check a signature.
import { checkpointSignatureValid, type SignedCheckpoint } from '../audit/checkpoints.js';
import { call, CliError, type Connection } from './client.js';

type SavedCheckpointCheck = { ok: boolean; message: string };

/**
 * A checkpoint the regulator saved, checked twice: its signature here, with no trust in the server, and the log
 * against it on the server (which also asks the gatekeeper whether the signer was trusted when it signed).
 */
export async function checkSavedCheckpoint(conn: Connection, file: string): Promise<SavedCheckpointCheck> {
  let checkpoint: SignedCheckpoint;
  try {
    checkpoint = JSON.parse(readFileSync(file, 'utf8')) as SignedCheckpoint;
  } catch (error) {
    throw new CliError(`cannot read the checkpoint ${file}: ${(error as Error).message}`);
  }
  if (!checkpointSignatureValid(checkpoint)) {
    return { ok: false, message: `the checkpoint in ${file} is not signed by ${checkpoint.signer}` };
  }
  return call(conn, 'verifyCheckpoint', { body: checkpoint });
}

/** Which stretch of the log each protection covers, e.g. "1-900 anchored, 901-950 checkpointed, 951-960 neither". */
export function describeCoverage(result: z.output<typeof auditVerification>): string {
  const head = BigInt(result.coverage.head ?? 0);
  const anchored = BigInt(result.coverage.anchoredThroughSeq ?? 0);
  const checkpointed = BigInt(result.coverage.checkpointedThroughSeq ?? 0);
  const parts: string[] = [];
  if (anchored > 0n) parts.push(`1-${anchored} anchored on-chain`);
  if (checkpointed > anchored) parts.push(`${anchored + 1n}-${checkpointed} signed checkpoint only`);
  const covered = checkpointed > anchored ? checkpointed : anchored;
  if (head > covered) parts.push(`${covered + 1n}-${head} not yet checkpointed`);
  return parts.join(', ') || 'empty log';
}

/** The one line `custos audit verify` exits with when something is wrong. */
export function auditProblem(
  result: z.output<typeof auditVerification>,
  saved?: SavedCheckpointCheck,
): string {
  if (result.firstBreak) {
    const more = result.breakCount > 1 ? ` (and ${result.breakCount - 1} more broken link(s))` : '';
    return `audit chain broken at event ${result.firstBreak.seq}: ${result.firstBreak.message}${more}`;
  }
  if (result.anchors && !result.anchors.ok)
    return `audit anchors disagree: ${result.anchors.firstMismatch?.message}`;
  const checkpoints = result.checkpoints;
  if (checkpoints.mismatches[0]) return `audit checkpoints disagree: ${checkpoints.mismatches[0].message}`;
  if (checkpoints.latest && !checkpoints.latest.signatureValid) {
    return `the latest audit checkpoint (event ${checkpoints.latest.seq}) has an invalid signature`;
  }
  if (checkpoints.latest?.signerTrusted === false) {
    return `the latest audit checkpoint was signed by ${checkpoints.latest.signer}, which the gatekeeper did not trust then`;
  }
  return `saved checkpoint: ${saved?.message}`;
}
