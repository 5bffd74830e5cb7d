import path from 'node:path';
import { appendAuditEvent } from '../audit/index.js';
import { ISSUANCE_CLOCK_SKEW_SECONDS } from '../attest/index.js';
import type { ChainOperator } from '../chain/index.js';
import type { Env } from '../config/index.js';
import { withAdvisoryLock, type Database } from '../db/index.js';
import { coalesced } from '../cluster/index.js';
import { CustosError } from '../errors/index.js';
import { Pkcs11Signer, type AttestationSigner } from '../signers/index.js';
import { closeSigner, configuredKey, openSigner, type KeyReference } from './openSigner.js';
import { completeRotation, rotationUnderWay, stageRotation, type Rotation } from './rotation.js';

export interface KeyView {
  address: string;
  backend: string;
  keyRef: string;
  status: string;
  validFrom: string;
  validUntil: string | null;
  onChain: { validFrom: number; validUntil: string } | null;
}

export interface RotateResult {
  previous: string;
  current: string;
  overlapEndsAt: string;
  /** Set when this call completed a rotation an earlier one (or a crash) left under way, instead of a new one. */
  resumed?: true;
}

export interface RotateRequest {
  actor: string;
  /** How long the old key stays trusted for new attestations after the rotation. */
  overlapSeconds: number;
  /** For aws-kms: the new key, created beforehand in KMS (Custos does not hold kms:CreateKey). */
  kmsKeyId?: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * When a new key's trust starts: now (wall clock, not the latest block, which on a quiet chain can be hours old),
 * less the back-dating every attestation gets for clock skew, so the key's first attestations are inside its window.
 */
const trustStart = () => nowSeconds() - ISSUANCE_CLOCK_SKEW_SECONDS;

const FIRST_KEY_LOCK = 0x6b657931; // "key1"

/** A signer replaced by another stays open this long, for signatures under way with it. */
const RETIRED_SIGNER_GRACE_MS = 30_000;

/**
 * Owns the active signing key. At start-up it opens the key the database names active (or the configured one the
 * first time) and makes sure the gatekeeper trusts it. Rotation (staged → active, old → retiring) adds the new key
 * on-chain, shortens the old key's window to the end of the overlap, and switches issuance to the new key at once.
 * It is a persisted state machine (see rotation.ts): a rotation a crash or an outage interrupted is completed at the
 * next start, or by the next rotate call, which finishes it rather than starting another.
 *
 * The database is the authority on which key is active: `refresh` follows it, so a rotation made by another replica
 * applies here too (called on its notification and periodically; see src/service/replicaState.ts).
 */
export class KeyManager {
  /** Rotations in this process, one at a time. */
  private rotating: Promise<unknown> = Promise.resolve();
  /** The staged key (by this process or another), kept open for when its rotation becomes active. */
  private staged?: AttestationSigner;
  /** Replaced signers waiting out their grace before they are closed. */
  private readonly retired = new Map<AttestationSigner, NodeJS.Timeout>();
  /**
   * Issues with the key the database names active, and opens a staged key ahead of its activation (opening can be
   * slow: a keystore's scrypt, a KMS round trip). Calls during a re-read share the next one.
   */
  readonly refresh: () => Promise<void> = coalesced(() => this.followDatabase());

  private constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
    private readonly env: Env,
    private readonly warn: (message: string) => void,
    private active: AttestationSigner,
  ) {}

  static async start(
    db: Database,
    chain: ChainOperator,
    env: Env,
    warn: (message: string) => void,
  ): Promise<KeyManager> {
    // Replicas starting together agree on the first key: the first to take the lock registers it, the rest find it.
    const manager = await withAdvisoryLock(db, FIRST_KEY_LOCK, async () => {
      const stored = await db.signingKey.findFirst({
        where: { status: 'active' },
        orderBy: { createdAt: 'desc' },
      });
      const key: KeyReference = stored
        ? {
            backend: stored.backend as KeyReference['backend'],
            keyRef: stored.keyRef,
            address: stored.address,
          }
        : configuredKey(env);
      const signer = await openSigner(key, env, warn);
      const opened = new KeyManager(db, chain, env, warn, signer);
      if (!stored) await opened.registerFirstKey(signer, key);
      return opened;
    });
    const underWay = await rotationUnderWay(db);
    if (underWay) {
      warn(`completing the key rotation from ${underWay.previous} to ${underWay.next} that was interrupted`);
      await manager.complete(underWay);
    }
    return manager;
  }

  /** The signer new attestations are issued with. */
  current(): AttestationSigner {
    return this.active;
  }

  async list(): Promise<KeyView[]> {
    const rows = await this.db.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
    return Promise.all(
      rows.map(async (row) => {
        // A chain that cannot be read is CHAIN_UNAVAILABLE, never "not trusted on-chain".
        const window = await this.chain.signerWindow(row.address);
        return {
          address: row.address,
          backend: row.backend,
          keyRef: row.keyRef,
          status: row.status,
          validFrom: row.validFrom.toISOString(),
          validUntil: row.validUntil?.toISOString() ?? null,
          onChain:
            window.validUntil !== 0n
              ? { validFrom: window.validFrom, validUntil: window.validUntil.toString() }
              : null,
        };
      }),
    );
  }

  /** Rotates to a new key, or completes the rotation under way (then `resumed`, whatever was asked). */
  async rotate(request: RotateRequest): Promise<RotateResult> {
    const result = this.rotating.then(() => this.rotateOnce(request));
    this.rotating = result.catch(() => undefined);
    return result;
  }

  private async rotateOnce(request: RotateRequest): Promise<RotateResult> {
    const underWay = await rotationUnderWay(this.db);
    if (underWay) return { ...(await this.complete(underWay)), resumed: true };
    const staged = await this.stage(request);
    // Null: another process staged a rotation at the same moment; the next pass completes that one.
    return staged ? this.complete(staged) : this.rotateOnce(request);
  }

  /** Creates the new key and records the plan; null when another process staged a rotation first. */
  private async stage(request: RotateRequest): Promise<Rotation | null> {
    const key = await this.newKey(request);
    const next = await openSigner(key, this.env, this.warn);
    const staged = await this.recordStaged(next, key, request).catch((error: unknown) => {
      closeSigner(next);
      throw error;
    });
    if (!staged) {
      closeSigner(next);
      return null;
    }
    if (this.staged) closeSigner(this.staged);
    this.staged = next;
    return staged;
  }

  private async recordStaged(
    next: AttestationSigner,
    key: KeyReference,
    request: RotateRequest,
  ): Promise<Rotation | null> {
    const known = await this.db.signingKey.findUnique({ where: { address: next.address } });
    if (known) {
      throw new CustosError(
        'VALIDATION_FAILED',
        `the key ${known.address} is already known to Custos (${known.status}); rotate to a key never used before`,
      );
    }
    return stageRotation(this.db, {
      previous: this.active.address,
      next: next.address,
      nextKey: key,
      nextValidFrom: trustStart(),
      overlapEndsAt: nowSeconds() + request.overlapSeconds,
      actor: request.actor,
    });
  }

  /** Drives `rotation` to active, then issues with the new key. */
  private async complete(rotation: Rotation): Promise<RotateResult> {
    await completeRotation(this.db, this.chain, rotation);
    await this.switchTo(rotation.next, rotation.nextKey);
    return {
      previous: rotation.previous,
      current: rotation.next,
      overlapEndsAt: new Date(rotation.overlapEndsAt * 1000).toISOString(),
    };
  }

  close(): void {
    closeSigner(this.active);
    if (this.staged) closeSigner(this.staged);
    for (const [signer, timer] of this.retired) {
      clearTimeout(timer);
      closeSigner(signer);
    }
    this.retired.clear();
  }

  private async followDatabase(): Promise<void> {
    const rows = await this.db.signingKey.findMany({
      where: { status: { in: ['active', 'staged'] } },
      orderBy: { createdAt: 'desc' },
    });
    const reference = (row: (typeof rows)[number]): KeyReference => ({
      backend: row.backend as KeyReference['backend'],
      keyRef: row.keyRef,
      address: row.address,
    });
    const staged = rows.find((row) => row.status === 'staged');
    if (staged && ![this.staged?.address, this.active.address].includes(staged.address)) {
      this.adoptStaged(await openSigner(reference(staged), this.env, this.warn));
    }
    const active = rows.find((row) => row.status === 'active');
    if (active && active.address !== this.active.address) {
      await this.switchTo(active.address, reference(active));
      this.warn(`issuing with signing key ${active.address} from now on: the database names it active`);
    }
  }

  /** Keeps `next` open as the staged key, unless that key is already open here. */
  private adoptStaged(next: AttestationSigner): void {
    if ([this.staged?.address, this.active.address].includes(next.address)) {
      closeSigner(next); // opened twice concurrently: the other one stays
      return;
    }
    if (this.staged) closeSigner(this.staged);
    this.staged = next;
  }

  /** Issues with `address` from now on (the staged signer if it is that key); the old signer is retired. */
  private async switchTo(address: string, key: KeyReference): Promise<void> {
    if (this.active.address === address) return;
    const next = this.staged?.address === address ? this.staged : await openSigner(key, this.env, this.warn);
    if (this.active.address === address) {
      if (next !== this.staged) closeSigner(next); // another call switched while this one opened the key
      return;
    }
    if (next === this.staged) this.staged = undefined;
    const previous = this.active;
    this.active = next;
    const timer = setTimeout(() => {
      this.retired.delete(previous);
      closeSigner(previous);
    }, RETIRED_SIGNER_GRACE_MS);
    timer.unref();
    this.retired.set(previous, timer);
  }

  private async registerFirstKey(signer: AttestationSigner, key: KeyReference): Promise<void> {
    const window = await this.chain.signerWindow(signer.address);
    const validFrom = window.validUntil === 0n ? trustStart() : window.validFrom;
    if (window.validUntil === 0n) await this.chain.setSigner(signer.address, validFrom);
    await this.db.$transaction(async (tx) => {
      await tx.signingKey.create({
        data: {
          address: signer.address,
          backend: key.backend,
          keyRef: key.keyRef,
          status: 'active',
          validFrom: new Date(validFrom * 1000),
        },
      });
      await appendAuditEvent(tx, {
        type: 'key.registered',
        actor: 'system',
        payload: { address: signer.address, backend: key.backend },
      });
    });
  }

  private async newKey(request: RotateRequest): Promise<KeyReference> {
    const stamp = new Date().toISOString().replace(/[-:.TZ]/g, '');
    switch (this.active.backend) {
      case 'local':
        return {
          backend: 'local',
          keyRef: path.join(this.env.CUSTOS_DATA_DIR, 'keys', `signer-${stamp}.json`),
        };
      case 'pkcs11': {
        const keyLabel = `custos-signer-${stamp}`;
        await Pkcs11Signer.generateKey({
          module: this.env.PKCS11_MODULE!,
          pin: this.env.PKCS11_PIN!,
          tokenLabel: this.env.PKCS11_TOKEN_LABEL,
          keyLabel,
        });
        return { backend: 'pkcs11', keyRef: keyLabel };
      }
      case 'aws-kms':
        if (!request.kmsKeyId) {
          throw new CustosError(
            'VALIDATION_FAILED',
            'rotating an aws-kms key needs kmsKeyId: create an ECC_SECG_P256K1 key in KMS first',
          );
        }
        return { backend: 'aws-kms', keyRef: request.kmsKeyId };
    }
  }
}
