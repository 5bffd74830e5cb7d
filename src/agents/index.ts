// The off-chain execution gate (issue 14): confirmed ExecutionRequested events decided once (authorised or refused
// with a reason code), leased to the owner tenant's executors, their results and usage; agents' configurations.
export { AgentConfigs, type AgentConfigChange, type AgentView, type Configurer } from './agentConfigs.js';
export { CallerChecks, type ExecutionRequest, type Refusal } from './callerChecks.js';
export { ExecutionGate } from './executionGate.js';
export { Executions, type ExecutionOutcome, type Executor } from './executions.js';
export { agentUsage, startOfUtcMonth, type UsageRow } from './usage.js';
export { executionViewOf, type ExecutionView } from './views.js';
