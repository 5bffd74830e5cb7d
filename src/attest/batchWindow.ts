import { CustosError } from '../errors/index.js';

/**
 * The least `maxPending`: as many as the group commit lets wait (4096), so a small ATTEST_BATCH_MAX_SIZE does not
 * turn a burst that eip712 would queue into 503 BUSY (with a size of 1, the 17th concurrent request was refused).
 */
const MIN_PENDING = 4096;

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the items that arrive within `windowMs` of a window's first item (or until `maxSize` have) and runs them
 * together: each item gets its own result, or, when the run fails, the run's error (a batch succeeds or fails
 * whole). One run at a time, as in group commit: a window that closes while a run is under way waits for it, so
 * under load batches grow instead of transactions queueing on the audit chain's lock. At most `maxPending` items
 * wait or run: beyond that (a stuck signer or database) `add` fails at once with 503 BUSY instead of memory growing
 * without bound.
 */
export class BatchWindow<T, R> {
  private open: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending = 0;
  private running = false;

  /** `run` answers one result per item, in order. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly windowMs: number,
    private readonly maxSize: number,
    private readonly maxPending = Math.max(16 * maxSize, MIN_PENDING),
  ) {}

  add(item: T): Promise<R> {
    if (this.pending >= this.maxPending) {
      return Promise.reject(
        new CustosError(
          'BUSY',
          `${this.maxPending} attestations are already waiting for their batch; retry shortly`,
        ),
      );
    }
    return new Promise<R>((resolve, reject) => {
      this.pending++;
      this.open.push({ item, resolve, reject });
      if (this.open.length >= this.maxSize) this.close();
      else this.timer ??= setTimeout(() => this.close(), this.windowMs);
    });
  }

  private close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) return; // the run under way closes this window when it ends
    this.running = true;
    const batch = this.open.splice(0, this.maxSize);
    this.run(batch.map((p) => p.item))
      .then(
        (results) => batch.forEach((p, i) => p.resolve(results[i]!)),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      )
      .finally(() => {
        this.pending -= batch.length;
        this.running = false;
        // Whatever arrived meanwhile has waited at least as long as a run: it goes next.
        if (this.open.length > 0) this.close();
      });
  }
}
