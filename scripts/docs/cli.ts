// The CLI reference: every command's own --help text (commander's), from the command tree in src/cli.
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/commands.js';
import { generatedFile } from './markdown.js';

/** The command and every command below it, depth first, with its full name (`custos keys rotate`). */
function walk(command: Command, prefix: string[] = []): { name: string; command: Command }[] {
  const name = [...prefix, command.name()];
  return [{ name: name.join(' '), command }, ...command.commands.flatMap((child) => walk(child, name))];
}

export function renderCli(): string {
  const sections = walk(buildProgram()).map(({ name, command }) => {
    // A fixed width: --help wraps at the terminal's, which differs from machine to machine.
    command.configureHelp({ helpWidth: 110 });
    return `## \`${name}\`\n\n\`\`\`text\n${command.helpInformation().trimEnd()}\n\`\`\``;
  });
  return generatedFile('CLI reference', "each command's own `--help` (the command tree in src/cli)", [
    'The `custos` command talks to the admin API: with an officer key by default (the local server and key from `.custos/dev-credentials.json`, otherwise `CUSTOS_URL` and `CUSTOS_OFFICER_KEY`), an admin key (`CUSTOS_ADMIN_KEY`) for tenants, API keys and admin commands. Tables by default, `--json` for scripts; any error is one line on stderr and a non-zero exit (1, or 2 for usage). `custos <command> --help` prints the same text as below.',
    ...sections,
  ]);
}
