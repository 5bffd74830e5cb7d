import type { AttestationSigner } from '../signers/index.js';

/**
 * What /readyz knows besides its live checks: whether the service is shutting down (a balancer should stop sending),
 * and the signer's last successful check. A signer check can cost money and quota (KMS DescribeKey), so a success is
 * trusted for `signerCacheMs`; concurrent probes share one check, and a failure is not cached (the next probe asks
 * again, so recovery shows at once). A rotation makes a new signer, which is checked afresh.
 */
export class Readiness {
  #shuttingDown = false;
  #signer?: { address: string; okUntil: number };
  #checking?: { address: string; done: Promise<void> };

  constructor(
    private readonly signerCacheMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** From now on /readyz answers 503: called at the start of shutdown. */
  shutDown(): void {
    this.#shuttingDown = true;
  }

  /** Resolves when `signer` answered a check within the cache time; rejects with the check's error. */
  checkSigner(signer: AttestationSigner): Promise<void> {
    const cached = this.#signer;
    if (cached?.address === signer.address && this.now() < cached.okUntil) return Promise.resolve();
    if (this.#checking?.address !== signer.address) this.#checking = this.#check(signer);
    return this.#checking.done;
  }

  #check(signer: AttestationSigner) {
    const checking = {
      address: signer.address,
      done: signer.ping().then(() => {
        this.#signer = { address: signer.address, okUntil: this.now() + this.signerCacheMs };
      }),
    };
    checking.done
      .finally(() => {
        if (this.#checking === checking) this.#checking = undefined;
      })
      .catch(() => {}); // the caller gets the failure through `done`
    return checking;
  }
}
