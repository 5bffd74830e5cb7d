import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { APPROVED_KYC } from './fixtures.js';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `custos` command in a child process. */
export async function custos(args: string[], env: Record<string, string>): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/custos.js', ...args], {
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `custos kyc set` with the shared approved-KYC fixture; asserts it worked. */
export async function approveWithCli(subject: string, env: Record<string, string>): Promise<void> {
  const { country, birthDate, riskScore } = APPROVED_KYC;
  const result = await custos(
    [
      'kyc',
      'set',
      subject,
      '--status',
      'approved',
      '--country',
      country,
      '--birth-date',
      birthDate,
      '--risk-score',
      String(riskScore),
    ],
    env,
  );
  if (result.code !== 0) throw new Error(`custos kyc set failed: ${result.stderr}`);
}
