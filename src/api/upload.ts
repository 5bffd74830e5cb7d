import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { CustosError } from '../errors/index.js';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `16kb`, `200mb` as bytes (the grammar the config accepts). */
export function byteSize(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/.exec(limit);
  if (!match) throw new Error(`not a size: ${limit}`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/**
 * Streams a large upload to a temporary file, hashing it on the way, and stops at `limit` bytes with 413 (at once
 * when Content-Length already says so). Memory stays at one chunk whatever the size; the file is removed when `use`
 * returns or fails.
 */
export async function withUpload<T>(
  req: Request,
  limit: string,
  use: (upload: { content: string; bytes: number; sha256: string }) => Promise<T>,
): Promise<T> {
  const max = byteSize(limit);
  const tooLarge = () => new CustosError('PAYLOAD_TOO_LARGE', `the upload is larger than ${limit}`);
  if (Number(req.header('content-length') ?? 0) > max) throw tooLarge();
  const dir = await mkdtemp(path.join(tmpdir(), 'custos-upload-'));
  try {
    const file = path.join(dir, 'body');
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > max) return done(tooLarge());
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(req, meter, createWriteStream(file, { mode: 0o600 }));
    } catch (error) {
      if (error instanceof CustosError) throw error;
      throw new CustosError('VALIDATION_FAILED', 'the upload was interrupted', undefined, { cause: error });
    }
    return await use({ content: await readFile(file, 'utf8'), bytes, sha256: hash.digest('hex') });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * At most `active` tasks at once in this process, `queued` more waiting; beyond that 503 BUSY. For work whose memory
 * grows with its input (parsing a sanctions list), so concurrent uploads cannot multiply it.
 */
export class Admission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly active: number,
    private readonly queued: number,
    private readonly what: string,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.active) {
      if (this.waiting.length >= this.queued) {
        throw new CustosError('BUSY', `too many ${this.what} under way; retry shortly`);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
