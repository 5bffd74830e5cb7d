import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { call, CliError, connection, download, upload } from './client.js';
import { print } from './output.js';
import type { CallInput, operations } from '@custos/sdk';
import { auditProblem, checkSavedCheckpoint, describeCoverage } from './auditVerify.js';
import { addAdminCommands, integer, seconds } from './adminCommands.js';
import { addEmergencyCommands } from './emergencyCommands.js';
import { addOfficerCommands, awaitingApproval } from './officerCommands.js';
import { addAgentCommands } from './agentCommands.js';

/** The `custos` command tree. Every command talks to the admin API with an officer key. */
export function buildProgram(): Command {
  const program = new Command('custos')
    .description('Custos compliance attestation oracle: admin CLI')
    .option('--json', 'print JSON for scripts instead of tables')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      outputError: (message, write) => write(`custos: ${message.replace(/^error: /, '').trim()}\n`),
    });
  const json = () => Boolean(program.opts().json);

  program
    .command('serve')
    .description('run the service (same as npm start)')
    .option('--replica', 'join the instance npm start runs from this CUSTOS_DATA_DIR, on another PORT')
    .action(async () => {
      await import('../main.js');
      await new Promise(() => {}); // the server runs until a signal stops it
    });

  const kyc = program.command('kyc').description('KYC records');
  kyc
    .command('set <address>')
    .description("set a subject's KYC record")
    .addOption(
      new Option('--status <status>', 'KYC status')
        .choices(['approved', 'pending', 'rejected', 'expired'])
        .makeOptionMandatory(),
    )
    .option('--country <code>', 'ISO 3166-1 alpha-2 country code, e.g. DE')
    .option('--birth-date <date>', 'YYYY-MM-DD')
    .option('--accredited', 'accredited investor', false)
    .option('--risk-score <0-100>', 'risk score', integer)
    .option('--provider <name>', 'who screened the subject', 'manual')
    .option('--reference <id>', "the provider's case reference")
    .action(async (address: string, options: Record<string, unknown>) => {
      const body = {
        status: options.status,
        country: options.country,
        birthDate: options.birthDate,
        accredited: options.accredited,
        riskScore: options.riskScore,
        provider: options.provider,
        reference: options.reference,
      };
      const result = await call(connection(), 'setKyc', {
        params: { subject: address },
        body: body as CallInput<(typeof operations)['setKyc']>['body'],
      });
      print(json(), result, [{ subject: result.subject, status: options.status, applied: result.applied }]);
    });

  program
    .command('sanctions')
    .description('sanctions and deny lists')
    .command('load <file>')
    .description('load a list: OFAC SDN.CSV, sdn_advanced.xml, or one address[,label] per line')
    .option('--name <name>', 'list name (versions of a name replace each other)')
    .addOption(
      new Option('--format <format>', 'force the format').choices(['ofac-sdn-csv', 'ofac-sdn-xml', 'custom']),
    )
    .action(async (file: string, options: { name?: string; format?: string }) => {
      if (!existsSync(file)) throw new CliError(`cannot read ${file}: no such file`);
      const name =
        options.name ??
        path
          .basename(file)
          .replace(/\.[^.]+$/, '')
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, '-');
      const query = new URLSearchParams({ name, ...(options.format ? { format: options.format } : {}) });
      const contentType = /\.xml$/i.test(file)
        ? 'application/xml'
        : /\.csv$/i.test(file)
          ? 'text/csv'
          : 'text/plain';
      const result = await upload<Record<string, unknown>>(
        connection(),
        `/v1/sanctions?${query}`,
        file,
        contentType,
      );
      if (!awaitingApproval(json(), result)) print(json(), result, [result]);
    });

  addOfficerCommands(program, json);
  addEmergencyCommands(program, json);
  addAgentCommands(program, json);

  program
    .command('attestations')
    .description('attestations')
    .command('list')
    .description("a subject's attestations, newest first")
    .requiredOption('--subject <address>', 'subject address')
    .action(async (options: { subject: string }) => {
      const result = await call(connection(), 'listAttestations', { query: { subject: options.subject } });
      print(
        json(),
        result,
        result.attestations.map((a) => ({
          uid: a.uid,
          policy: a.policy,
          // eip712-batch: submitted with its batch (root, signature, proof), which --json prints.
          format: a.format,
          status: a.status,
          issued: new Date(Number(a.issuedAt) * 1000).toISOString(),
          expires: new Date(Number(a.expiresAt) * 1000).toISOString(),
        })),
      );
    });

  const keys = program.command('keys').description('signing keys');
  keys
    .command('list')
    .description('signing keys with their status and on-chain trust window')
    .action(async () => {
      const result = await call(connection(), 'listKeys');
      print(
        json(),
        result,
        result.keys.map((k) => ({
          address: k.address,
          backend: k.backend,
          status: k.status,
          validFrom: k.validFrom,
          validUntil: k.validUntil,
        })),
      );
    });
  keys
    .command('rotate')
    .description('switch to a new key; the old one stays trusted for the overlap')
    .option('--overlap <duration>', 'how long the old key stays trusted (e.g. 1d)', seconds, 86_400)
    .option('--kms-key-id <id>', 'aws-kms only: the new ECC_SECG_P256K1 key, created beforehand')
    .action(async (options: { overlap: number; kmsKeyId?: string }) => {
      const result = await call(connection(), 'rotateKey', {
        body: { overlapSeconds: options.overlap, kmsKeyId: options.kmsKeyId },
      });
      if (!awaitingApproval(json(), result)) print(json(), result, [result]);
    });

  program
    .command('zk')
    .description('zero-knowledge credentials')
    .command('setup')
    .description(
      'compile the circuit, run Groth16 phase 2 on a ptau, write the proving and verification keys',
    )
    .requiredOption(
      '--ptau <file>',
      'powers of tau prepared for phase 2 (production: a public ceremony file)',
    )
    .option(
      '--beacon <hex>',
      'public randomness for the final beacon, e.g. a future block hash named in advance',
    )
    .action(async (options: { ptau: string; beacon?: string }) => {
      if (!existsSync(options.ptau)) throw new CliError(`cannot read ${options.ptau}: no such file`);
      const { runZkSetup } = await import('../zk/setup.js');
      const manifest = await runZkSetup({
        ptau: options.ptau,
        beacon: options.beacon,
        progress: (step) => console.error(`custos zk setup: ${step}`),
      });
      print(json(), manifest, [
        {
          constraints: manifest.constraints,
          ptau: manifest.ptau.file,
          verificationKey: manifest.sha256.verificationKey,
        },
      ]);
    });

  program
    .command('reconcile')
    .description('list every disagreement between the database and the chain; exits 1 when there is one')
    .action(async () => {
      const result = await call(connection(), 'reconcile');
      print(
        json(),
        result,
        result.disagreements.map((d) => ({ kind: d.kind, ref: d.ref, tx: d.txHash, message: d.message })),
      );
      if (result.disagreements.length > 0) {
        throw new CliError(
          `${result.disagreements.length} disagreement(s) between the database and the chain (indexed through block ${result.indexedThroughBlock})`,
        );
      }
    });

  const audit = program.command('audit').description('audit log');
  audit
    .command('verify')
    .description(
      'recompute the hash chain and check it against the on-chain anchors and the signed checkpoints; exits 1 on any problem',
    )
    .option('--checkpoint <file>', 'also check a checkpoint saved earlier (from GET /v1/audit/status)')
    .action(async (options: { checkpoint?: string }) => {
      const conn = connection();
      const result = await call(conn, 'verifyAudit');
      const saved = options.checkpoint ? await checkSavedCheckpoint(conn, options.checkpoint) : undefined;
      const coverage = describeCoverage(result);
      if (!result.ok || (saved && !saved.ok)) {
        if (json()) print(true, { ...result, savedCheckpoint: saved });
        throw new CliError(auditProblem(result, saved));
      }
      print(json(), { ...result, savedCheckpoint: saved }, [
        {
          ok: result.ok,
          checked: result.checked,
          lastSeq: result.lastSeq,
          ...(result.legacyEncoded ? { 'legacy-encoded': result.legacyEncoded } : {}),
          anchoredBatches: result.anchors?.batches,
          coverage,
          ...(saved ? { 'saved checkpoint': saved.message } : {}),
        },
      ]);
    });
  audit
    .command('export')
    .description('stream matching audit events to stdout as JSON Lines or CSV')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--subject <address>', 'events about this address')
    .option('--type <type>', 'events of this type, e.g. attestation.issued')
    .option('--uid <uid>', 'events about this attestation')
    .option('--from <iso>', 'from this instant (inclusive), e.g. 2026-11-01T00:00:00Z')
    .option('--to <iso>', 'to this instant (exclusive)')
    .action(async (options: Record<string, string | undefined>) => {
      const query = new URLSearchParams();
      for (const [flag, param] of [
        ['format', 'format'],
        ['subject', 'subject'],
        ['type', 'type'],
        ['uid', 'attestationUid'],
        ['from', 'from'],
        ['to', 'to'],
      ] as const) {
        if (options[flag] !== undefined) query.set(param, options[flag]!);
      }
      await download(connection(), `/v1/audit/export?${query}`, process.stdout);
    });

  addAdminCommands(program, json);
  return program;
}
