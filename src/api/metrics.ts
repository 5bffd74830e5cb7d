import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  /** The custodial prover pool's load. */
  prover?: () => { busy: number; queued: number };
  /** The emergency stop as this process applies it, and the gatekeeper's switch as last seen. */
  emergency?: () => { paused: boolean; chain: { paused: boolean | null } };
}

/** Prometheus metrics served at /metrics; gauges read their `sources` when scraped. */
export function createMetrics(sources: MetricSources = {}) {
  const { prover, emergency } = sources;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'custos_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      // Up to 10 s: a custodial groth16 attestation waits for its proof (seconds).
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'custos_screening_decisions_total',
      help: 'Screening decisions by policy and outcome',
      labelNames: ['policy', 'outcome'],
      registers: [registry],
    }),
    batchSignatures: new Counter({
      name: 'custos_attestation_batch_signatures_total',
      help: 'eip712-batch roots signed: one signer call per batch',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'custos_attestation_batch_size',
      help: 'Attestations per signed eip712-batch root',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
      registers: [registry],
    }),
    webhookRefusals: new Counter({
      name: 'custos_webhook_refusals_total',
      help: 'KYC webhook deliveries refused before authentication, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    authenticationFailures: new Counter({
      name: 'custos_authentication_failures_total',
      help: 'Requests refused for a missing, unknown or invalid API key or token',
      registers: [registry],
    }),
    proverJobs: new Gauge({
      name: 'custos_prover_jobs',
      help: 'Custodial proofs being proved (busy) and waiting for a prover (queued)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const load = prover?.() ?? { busy: 0, queued: 0 };
        this.set({ state: 'busy' }, load.busy);
        this.set({ state: 'queued' }, load.queued);
      },
    }),
    emergencyPaused: new Gauge({
      name: 'custos_emergency_paused',
      help: 'The emergency stop: 1 while on, for the service (this process) and the gatekeeper (last seen; -1 unknown)',
      labelNames: ['scope'],
      registers: [registry],
      collect() {
        const state = emergency?.();
        this.set({ scope: 'service' }, state?.paused ? 1 : 0);
        const chain = state?.chain.paused;
        this.set({ scope: 'gatekeeper' }, chain === null || chain === undefined ? -1 : Number(chain));
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
