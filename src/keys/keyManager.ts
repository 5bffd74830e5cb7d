import path from 'node:path';
import { appendAuditEvent } from '../audit/index.js';
import { ISSUANCE_CLOCK_SKEW_SECONDS } from '../attest/index.js';
import type { ChainOperator } from '../chain/index.js';
import type { Env } from '../config/index.js';
import type { Database } from '../db/index.js';
import { CustosError } from '../errors/index.js';
import { Pkcs11Signer, type AttestationSigner } from '../signers/index.js';
import { closeSigner, configuredKey, openSigner, type KeyReference } from './openSigner.js';

export interface KeyView {
  address: string;
  backend: string;
  keyRef: string;
  status: string;
  validFrom: string;
  validUntil: string | null;
  onChain: { validFrom: number; validUntil: string } | null;
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

/**
 * Owns the active signing key. At start-up it opens the key the database names active (or the configured one the
 * first time) and makes sure the gatekeeper trusts it. Rotation (staged → active, old → retiring) adds the new key
 * on-chain, shortens the old key's window to the end of the overlap, and switches issuance to the new key at once.
 */
export class KeyManager {
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
    const stored = await db.signingKey.findFirst({
      where: { status: 'active' },
      orderBy: { createdAt: 'desc' },
    });
    const key: KeyReference = stored
      ? { backend: stored.backend as KeyReference['backend'], keyRef: stored.keyRef }
      : configuredKey(env);
    const signer = await openSigner(key, env, warn);
    const manager = new KeyManager(db, chain, env, warn, signer);
    if (!stored) await manager.registerFirstKey(signer, key);
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
        const window = await this.chain.signerWindow(row.address).catch(() => null);
        return {
          address: row.address,
          backend: row.backend,
          keyRef: row.keyRef,
          status: row.status,
          validFrom: row.validFrom.toISOString(),
          validUntil: row.validUntil?.toISOString() ?? null,
          onChain:
            window && window.validUntil !== 0n
              ? { validFrom: window.validFrom, validUntil: window.validUntil.toString() }
              : null,
        };
      }),
    );
  }

  async rotate(
    request: RotateRequest,
  ): Promise<{ previous: string; current: string; overlapEndsAt: string }> {
    const previous = this.active;
    const key = await this.newKey(request);
    const next = await openSigner(key, this.env, this.warn);
    const validFrom = trustStart();
    const overlapEnd = nowSeconds() + request.overlapSeconds;
    const previousRow = await this.db.signingKey.findUniqueOrThrow({ where: { address: previous.address } });
    await this.chain.setSigner(next.address, validFrom);
    await this.chain.setSigner(
      previous.address,
      Math.floor(previousRow.validFrom.getTime() / 1000),
      overlapEnd,
    );
    await this.db.$transaction(async (tx) => {
      await tx.signingKey.create({
        data: {
          address: next.address,
          backend: key.backend,
          keyRef: key.keyRef,
          status: 'active',
          validFrom: new Date(validFrom * 1000),
        },
      });
      await tx.signingKey.update({
        where: { address: previous.address },
        data: { status: 'retiring', validUntil: new Date(overlapEnd * 1000) },
      });
      await appendAuditEvent(tx, {
        type: 'key.rotated',
        actor: request.actor,
        payload: {
          previous: previous.address,
          current: next.address,
          backend: key.backend,
          overlapEndsAt: overlapEnd,
        },
      });
    });
    this.active = next;
    closeSigner(previous);
    return {
      previous: previous.address,
      current: next.address,
      overlapEndsAt: new Date(overlapEnd * 1000).toISOString(),
    };
  }

  close(): void {
    closeSigner(this.active);
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
