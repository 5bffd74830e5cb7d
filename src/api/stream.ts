import type { Writable } from 'node:stream';

/**
 * Writes `chunk`, waiting for the client to read when its buffer is full, so a slow client cannot make the server
 * buffer a whole export; false once the client has gone away.
 */
export async function writeWithBackPressure(res: Writable, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (open: boolean) => {
      res.off('drain', drained);
      res.off('close', closed);
      resolve(open);
    };
    const drained = () => done(true);
    const closed = () => done(false);
    res.once('drain', drained);
    res.once('close', closed);
  });
}
