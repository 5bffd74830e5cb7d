import type { Logger } from 'pino';
import type { Readiness } from '../api/index.js';

type Intake = (timeoutMs: number) => Promise<void>;
type Resource = () => Promise<void> | void;

/**
 * What start-up opened, closed in the order that loses no work: /readyz turns 503 (and, once serving, requests are
 * still taken for the delay, so balancers notice); then everything that brings work in (the listener, job workers)
 * stops together, each letting its work in flight finish within the bound; then what the work needs (prover,
 * signer, chain, pool, embedded parts) closes, last opened first. Also what a failed start-up runs.
 */
export class Shutdown {
  readonly #intake: Intake[] = [];
  readonly #resources: Resource[] = [];
  #serving = false;
  #stopping?: Promise<void>;

  constructor(
    private readonly options: { readiness: Readiness; delayMs: number; timeoutMs: number; logger: Logger },
  ) {}

  /** Something that brings work in: stopped first, with the time its work in flight may take. */
  intake(stop: Intake): void {
    this.#intake.push(stop);
  }

  /** Something the work needs: closed once no work is left. */
  resource(close: Resource): void {
    this.#resources.push(close);
  }

  /** Start-up has finished: a shutdown from now on gives balancers the delay first. */
  serving(): void {
    this.#serving = true;
  }

  /** Idempotent: every caller gets the same shutdown. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#run());
  }

  async #run(): Promise<void> {
    const { readiness, delayMs, timeoutMs, logger } = this.options;
    readiness.shutDown();
    if (this.#serving) {
      logger.info({ delaySeconds: delayMs / 1000 }, 'shutting down: /readyz is 503 from now on');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    await Promise.all(this.#intake.map((stop) => stop(timeoutMs)));
    for (const close of this.#resources.reverse()) await close();
    if (this.#serving) logger.info('stopped');
  }
}
