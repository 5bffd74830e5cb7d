import { fork, type ChildProcess } from 'node:child_process';
import type { Groth16Proof, PublicSignals } from 'snarkjs';

export interface ProofResult {
  proof: Groth16Proof;
  publicSignals: PublicSignals;
}

/** Thrown when the witness breaks a circuit rule: the inputs cannot be proved, retrying will not help. */
export class WitnessRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WitnessRejectedError';
  }
}

/** Thrown when the queue is full: the caller should shed load rather than wait. */
export class ProverBusyError extends Error {
  constructor(maxQueue: number) {
    super(`every prover is busy and ${maxQueue} proofs are already waiting`);
    this.name = 'ProverBusyError';
  }
}

/** Thrown when a proof takes longer than the pool allows: its prover is killed and replaced. */
export class ProverTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`the proof took longer than ${timeoutMs} ms; its prover was restarted`);
    this.name = 'ProverTimeoutError';
  }
}

interface Job {
  id: number;
  input: Record<string, string | string[]>;
  resolve(result: ProofResult): void;
  reject(error: Error): void;
}

interface Prover {
  process: ChildProcess;
  job?: Job;
  deadline?: NodeJS.Timeout;
}

// Under tsx (`npm start`, tests) the prover is TypeScript and needs the loader; built, it is plain JavaScript.
const PROVER_SCRIPT = import.meta.url.endsWith('.ts') ? './proverProcess.ts' : './proverProcess.js';
const PROVER_EXEC_ARGV = PROVER_SCRIPT.endsWith('.ts') ? ['--import', 'tsx'] : [];

/**
 * Groth16 proving off the event loop: `size` single-threaded prover processes, started on first use, each proving
 * one witness at a time from a bounded queue. A prover that dies fails its job and is replaced; one that takes longer
 * than `timeoutMs` is killed (its job fails with ProverTimeoutError) and replaced.
 */
export class ProverPool {
  private readonly provers: Prover[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: { size: number; maxQueue: number; timeoutMs: number }) {}

  prove(input: Record<string, string | string[]>): Promise<ProofResult> {
    if (this.closed) return Promise.reject(new Error('the prover pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ++this.nextId, input, resolve, reject });
      this.dispatch();
      // Still waiting beyond the queue's bound: this job (the last one) is shed.
      if (this.queue.length > this.options.maxQueue) {
        this.queue.pop();
        reject(new ProverBusyError(this.options.maxQueue));
      }
    });
  }

  /** Proofs being proved and proofs waiting, for metrics. */
  load(): { busy: number; queued: number } {
    return { busy: this.provers.filter((p) => p.job).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the prover pool is closed'));
    await Promise.all(
      this.provers.splice(0).map(
        ({ process }) =>
          new Promise<void>((resolve) => {
            if (process.exitCode !== null || process.signalCode !== null) return resolve();
            process.once('exit', () => resolve());
            process.kill();
          }),
      ),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.provers.find((p) => !p.job) ?? this.spawn();
      if (!idle) return;
      const job = this.queue.shift()!;
      idle.job = job;
      idle.deadline = setTimeout(() => {
        if (idle.job !== job) return;
        // Out of the pool at once, so the next job gets a fresh prover instead of this dying one.
        this.provers.splice(this.provers.indexOf(idle), 1);
        idle.job = undefined;
        idle.process.kill('SIGKILL');
        job.reject(new ProverTimeoutError(this.options.timeoutMs));
        this.dispatch();
      }, this.options.timeoutMs);
      idle.process.send({ id: job.id, input: job.input });
    }
  }

  /** A new prover while the pool is below its size. */
  private spawn(): Prover | undefined {
    if (this.closed || this.provers.length >= this.options.size) return undefined;
    const prover: Prover = {
      process: fork(new URL(PROVER_SCRIPT, import.meta.url), { execArgv: PROVER_EXEC_ARGV, serialization: 'json' }),
    };
    prover.process.on('message', (message: { id: number; error?: string } & Partial<ProofResult>) => {
      const job = prover.job;
      if (!job || job.id !== message.id) return;
      clearTimeout(prover.deadline);
      prover.job = undefined;
      if (message.error !== undefined) job.reject(rejection(message.error));
      else job.resolve({ proof: message.proof!, publicSignals: message.publicSignals! });
      this.dispatch();
    });
    prover.process.on('exit', (code, signal) => {
      const index = this.provers.indexOf(prover);
      if (index >= 0) this.provers.splice(index, 1);
      clearTimeout(prover.deadline);
      prover.job?.reject(new Error(`a prover process exited (${signal ?? code}) while proving`));
      if (!this.closed) this.dispatch();
    });
    this.provers.push(prover);
    return prover;
  }
}

/** snarkjs reports a broken constraint as an "Assert Failed" from the witness calculator. */
function rejection(message: string): Error {
  return /Assert Failed/.test(message) ? new WitnessRejectedError(message) : new Error(`proving failed: ${message}`);
}
