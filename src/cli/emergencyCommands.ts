import type { emergencyState } from '@custos/sdk/api';
import type { Command } from 'commander';
import type { z } from 'zod';
import { call, connection } from './client.js';
import { awaitingApproval, reasonCodeOption, type ReasonCode } from './officerCommands.js';
import { print } from './output.js';

type EmergencyState = z.output<typeof emergencyState>;

const row = (state: EmergencyState) => ({
  paused: state.paused,
  code: state.reasonCode,
  reason: state.reason,
  by: state.changedBy,
  since: state.changedAt,
  gatekeeper: state.chain.error
    ? `not following: ${state.chain.error}`
    : state.chain.paused === null
      ? 'not read yet'
      : state.chain.paused
        ? 'paused'
        : 'running',
});

/** The emergency stop: any officer pulls it, an admin (CUSTOS_ADMIN_KEY) lifts it. */
export function addEmergencyCommands(program: Command, json: () => boolean): void {
  const emergency = program
    .command('emergency')
    .description('the emergency stop: no attestation or credential is issued while it is on');
  emergency
    .command('status')
    .description('whether the stop is on, why, and whether the gatekeeper follows')
    .action(async () => {
      const state = await call(connection(), 'emergencyState');
      print(json(), state, [row(state)]);
    });
  emergency
    .command('pause')
    .description('stop issuing at once, on every replica, and pause the gatekeeper (officer key)')
    .addOption(reasonCodeOption())
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .action(async (options: { reasonCode: string; reason: string }) => {
      const body = { reasonCode: options.reasonCode as ReasonCode, reason: options.reason };
      const state = await call(connection(), 'emergencyPause', { body });
      print(json(), state, [row(state)]);
    });
  emergency
    .command('unpause')
    .description('lift the stop (admin key; with FOUR_EYES=emergency-unpause, a second admin approves)')
    .addOption(reasonCodeOption())
    .requiredOption('--reason <text>', 'why it is safe again (kept in the audit log)')
    .action(async (options: { reasonCode: string; reason: string }) => {
      const body = { reasonCode: options.reasonCode as ReasonCode, reason: options.reason };
      const result = await call(connection('admin'), 'emergencyUnpause', { body });
      if (awaitingApproval(json(), result)) return;
      print(json(), result, [row(result)]);
    });
}
