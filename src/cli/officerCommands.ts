import { readFileSync } from 'node:fs';
import { REASON_CODES, type approvalView } from '@custos/sdk/api';
import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { call, CliError, connection } from './client.js';
import { print } from './output.js';

type Approval = z.output<typeof approvalView>;

export type ReasonCode = keyof typeof REASON_CODES;

export const reasonCodeOption = () =>
  new Option('--reason-code <code>', 'for reports: why, from a fixed list')
    .choices(Object.keys(REASON_CODES))
    .default('OTHER');

/**
 * When a guarded action (FOUR_EYES) answered with the approval it waits for, says so and returns true: the command
 * succeeded (exit 0), and a second officer runs `custos approvals approve <id>`.
 */
export function awaitingApproval(json: boolean, result: unknown): result is { approval: Approval } {
  if (!result || typeof result !== 'object' || !('approval' in result)) return false;
  const { approval } = result as { approval: Approval };
  if (json) print(true, result);
  else {
    console.log(`waiting for a second officer: approval ${approval.id} (${approval.summary})`);
    console.log(`another officer approves with: custos approvals approve ${approval.id}`);
  }
  return true;
}

/** The uids and addresses of a file, one per line (blank lines and `#` comments skipped; a CSV's first cell). */
function targetsIn(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.split(',')[0]!.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** A progress bar on a terminal, nothing otherwise (scripts read the summary line). */
function progress(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done >= total) process.stderr.write('\n');
}

async function revokeFile(
  json: boolean,
  file: string,
  reasonCode: keyof typeof REASON_CODES,
  reason: string,
) {
  const targets = targetsIn(file);
  if (targets.length === 0) throw new CliError(`${file} names no uid or address`);
  const started = await call(connection(), 'bulkRevoke', { body: { targets, reasonCode, reason } });
  if (awaitingApproval(json, started)) return;
  let bulk = started.bulk;
  while (bulk.status === 'running') {
    progress(bulk.processed, bulk.total);
    await new Promise((resolve) => setTimeout(resolve, 500));
    bulk = (await call(connection(), 'getBulkRevocation', { params: { id: bulk.id } })).bulk;
  }
  progress(bulk.processed, bulk.total);
  if (json) print(true, { bulk });
  else {
    console.log(
      `revoked ${bulk.revoked}, already revoked ${bulk.already}, not found ${bulk.notFound} of ${bulk.total} in ${bulk.transactions.length} transaction(s) (bulk ${bulk.id})`,
    );
  }
  if (bulk.status === 'failed') throw new CliError(`bulk revocation ${bulk.id} failed: ${bulk.error}`);
}

/** Revocations (one, or a file of them), holds and four-eyes approvals. */
export function addOfficerCommands(program: Command, json: () => boolean): void {
  program
    .command('revoke [target]')
    .description(
      'revoke an attestation or credential uid, or everything of an address (which also holds it), and wait for the chain; --file revokes many in on-chain batches',
    )
    .option(
      '--file <file>',
      'uids or addresses, one per line: revoked in the background, in batches (resumable)',
    )
    .addOption(reasonCodeOption())
    .requiredOption('--reason <text>', 'why (kept in the audit log; its hash goes on-chain)')
    .action(
      async (target: string | undefined, options: { file?: string; reasonCode: string; reason: string }) => {
        const reasonCode = options.reasonCode as ReasonCode;
        if (options.file && target) throw new CliError('give a target or --file, not both');
        if (options.file) return revokeFile(json(), options.file, reasonCode, options.reason);
        if (!target) throw new CliError('give the uid or address to revoke, or --file');
        const result = await call(connection(), 'revoke', {
          body: { target, reasonCode, reason: options.reason },
        });
        if (awaitingApproval(json(), result)) return;
        const root = result.revocationRoot;
        print(
          json(),
          result,
          result.revoked.map((uid) =>
            root && result.credentials.includes(uid)
              ? { uid, tx: root.txHash, block: root.blockNumber, 'revocation epoch': root.epoch }
              : { uid, tx: result.txHash, block: result.blockNumber, 'revocation epoch': '' },
          ),
        );
        if (!json() && result.hold) {
          console.log(
            `held ${result.hold.subject} for ${result.hold.tenantId ?? 'every tenant'}: screening refuses it until \`custos holds lift\` or a KYC re-approval`,
          );
        }
      },
    );

  const holds = program.command('holds').description('holds placed by revoking a subject');
  holds
    .command('list')
    .description('active holds (with --all, lifted ones too), newest first')
    .option('--subject <address>', 'holds on this address only')
    .option('--all', 'include lifted holds', false)
    .action(async (options: { subject?: string; all: boolean }) => {
      const query = { subject: options.subject, includeLifted: String(options.all) as 'true' | 'false' };
      const result = await call(connection(), 'listHolds', { query });
      print(
        json(),
        result,
        result.holds.map((h) => ({
          subject: h.subject,
          tenant: h.tenantId ?? 'all tenants',
          placed: h.placedAt,
          by: h.placedBy,
          code: h.reasonCode,
          reason: h.reason,
          lifted: h.liftedAt,
        })),
      );
    });
  holds
    .command('lift <address>')
    .description("lift the hold on an address (an officer lifts its own tenant's hold)")
    .addOption(reasonCodeOption())
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .action(async (address: string, options: { reasonCode: string; reason: string }) => {
      const result = await call(connection(), 'liftHold', {
        params: { subject: address },
        body: { reasonCode: options.reasonCode as ReasonCode, reason: options.reason },
      });
      if (awaitingApproval(json(), result)) return;
      print(
        json(),
        result,
        result.lifted.map((h) => ({
          subject: h.subject,
          tenant: h.tenantId ?? 'all tenants',
          lifted: h.liftedAt,
        })),
      );
    });

  const approvals = program
    .command('approvals')
    .description('four-eyes approvals of guarded actions (FOUR_EYES)');
  const row = (a: Approval) => ({
    id: a.id,
    action: a.action,
    status: a.status,
    by: a.requestedBy,
    expires: a.expiresAt,
    summary: a.summary,
  });
  // Admin actions (emergency-unpause) are decided by a second admin: --admin uses CUSTOS_ADMIN_KEY.
  const adminOption = '--admin';
  const adminHelp = 'with the admin key (CUSTOS_ADMIN_KEY): for admin actions such as emergency-unpause';
  const decider = (options: { admin?: boolean }) => connection(options.admin ? 'admin' : 'officer');
  approvals
    .command('list')
    .description('actions waiting for a second officer (with --all, decided ones too)')
    .option('--all', 'every approval, not only those waiting', false)
    .option(adminOption, adminHelp)
    .action(async (options: { all: boolean; admin?: boolean }) => {
      const result = await call(decider(options), 'listApprovals', {
        query: options.all ? {} : { status: 'pending' },
      });
      print(json(), result, result.approvals.map(row));
    });
  approvals
    .command('approve <id>')
    .description('approve an action another officer requested: it takes effect now')
    .option(adminOption, adminHelp)
    .action(async (id: string, options: { admin?: boolean }) => {
      const result = await call(decider(options), 'approve', { params: { id } });
      print(json(), result, [row(result.approval)]);
    });
  approvals
    .command('reject <id>')
    .description('reject an action waiting for approval')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option(adminOption, adminHelp)
    .action(async (id: string, options: { reason: string; admin?: boolean }) => {
      const result = await call(decider(options), 'reject', {
        params: { id },
        body: { reason: options.reason },
      });
      print(json(), result, [row(result.approval)]);
    });
}
