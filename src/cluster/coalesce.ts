/**
 * Wraps a re-read so that it runs one at a time, and calls made while it runs share one more run after it: that
 * run starts after every change that prompted them, so none is missed, and a burst of notifications costs two
 * reads, not one per notification.
 */
export function coalesced(read: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running = read().finally(() => (running = undefined));
    return running;
  };
  return () => {
    if (next) return next;
    if (!running) return run();
    next = running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return run();
      });
    return next;
  };
}
