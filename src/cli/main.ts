// The `custos` CLI entry point: one clear line and a non-zero exit on any error.
import { CommanderError } from 'commander';
import { CliError } from './client.js';
import { buildProgram } from './commands.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    const message =
      error instanceof CliError ? error.message : `unexpected error: ${(error as Error).message}`;
    console.error(`custos: ${message}`);
    process.exit(1);
  });
