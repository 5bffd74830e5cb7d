// Pickup latency of the execution gate against the real service, a throwaway PostgreSQL and the embedded anvil
// (automine): from the moment AgentRegistry.execute is mined (its receipt) until an executor's claim returns the
// execution, polling the claim every 10 ms. Measured at the default chain indexer interval and at 1 s, since the
// gate runs right behind each indexer run; each request waits a random part of the interval first, so requests do not
// fall into step with the indexer's schedule (one right after each pickup would always wait a whole interval).
// Prints figures; asserts nothing.
import { agentChain } from '../../test/helpers/agents.js';
import { startTestService } from '../../test/helpers/service.js';

const EXECUTIONS = Number(process.env.BENCH_AGENT_EXECUTIONS ?? 20);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
};

async function pickupLatencies(indexIntervalSeconds: string | undefined): Promise<number[]> {
  const intervalMs = Number(indexIntervalSeconds ?? 5) * 1000;
  const t = await startTestService(
    indexIntervalSeconds ? { CHAIN_INDEX_INTERVAL_SECONDS: indexIntervalSeconds } : {},
  );
  const chain = agentChain(t, await t.key('dapp', 'bench'));
  try {
    const [admin, executor] = await Promise.all([t.key('admin', 'bench'), t.key('executor', 'bench')]);
    const agentId = await chain.registerAgent();
    await t.request('PUT', `/v1/agents/${agentId}`, { key: admin, body: { tenant: 'bench' } });
    const caller = await chain.compliantCaller();
    const latencies: number[] = [];
    for (let i = 0; i < EXECUTIONS; i++) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalMs));
      const requestId = await chain.requestExecution(caller, agentId);
      const mined = performance.now();
      for (;;) {
        const { body } = await t.request('POST', '/v1/agents/executions/claim', { key: executor, body: {} });
        if (body.execution) {
          if (body.execution.requestId !== requestId) throw new Error(`claimed ${body.execution.requestId}`);
          latencies.push(performance.now() - mined);
          await t.request('POST', `/v1/agents/executions/${body.execution.id}/result`, {
            key: executor,
            body: { claim: body.execution.claims, status: 'succeeded', units: 1 },
          });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return latencies;
  } finally {
    chain.provider.destroy();
    await t.stop();
  }
}

export async function runAgentsBenchmark(): Promise<void> {
  console.log(
    `\nagent execution gate: ExecutionRequested mined -> claimable (${EXECUTIONS} executions, anvil automine)`,
  );
  for (const interval of [undefined, '1']) {
    const latencies = await pickupLatencies(interval);
    const label = interval
      ? `CHAIN_INDEX_INTERVAL_SECONDS=${interval}`
      : 'default CHAIN_INDEX_INTERVAL_SECONDS (5)';
    console.log(
      `${label}: p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p95 ${percentile(latencies, 0.95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    );
  }
}
