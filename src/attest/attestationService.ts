import type { Database, GroupCommit } from '../db/index.js';
import { CustosError, causes, withDatabase } from '../errors/index.js';
import {
  eip712Attestation,
  issueEip712Attestation,
  type AttestedAction,
  type Eip712Attestation,
} from '../issuer/index.js';
import type { Policy } from '../screening/index.js';
import { sameAction } from './attestedAction.js';
import { policyNamed, screenOrRefuse } from './screenOrRefuse.js';
import type { IssuanceEntry } from './issuanceLog.js';
import type { AttestationSigner } from '../signers/index.js';

/**
 * Attestations are dated this many seconds in the past: block timestamps can trail the service's clock, and the
 * gatekeeper refuses an attestation issued "in the future" (AttestationNotYetValid).
 */
export const ISSUANCE_CLOCK_SKEW_SECONDS = 30;

export interface AttestationServiceOptions {
  db: Database;
  /** The durable record of decisions and issuances; concurrent requests share a commit. */
  log: GroupCommit<IssuanceEntry>;
  policies: Map<string, Policy>;
  /** The active signer; read on every issuance, so a rotation takes effect at once. */
  signer: () => AttestationSigner;
  chainId: number;
  gatekeeper: string;
  now?: () => Date;
}

export interface AttestRequest {
  tenantId: string;
  /** The caller's Idempotency-Key: the same key and request get the same attestation back. */
  idempotencyKey?: string;
  /** Who asked: the API key id. */
  actor: string;
  subject: string;
  policy: string;
  /** Binds the attestation to this one call (the policy's short action lifetime, no on-chain record). */
  action?: AttestedAction;
}

/**
 * Screening, then issuance. Every decision is audited. A passing decision is signed first and then committed, with
 * its audit event, in one transaction: the attestation is returned only after that commit, so none exists without
 * its durable record, and a signer or database failure leaves nothing behind.
 */
export class AttestationService {
  private readonly now: () => Date;
  /** Requests under way per tenant and idempotency key, so concurrent retries in this process sign once. */
  private readonly inFlight = new Map<string, Promise<Eip712Attestation>>();

  constructor(private readonly options: AttestationServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async attest(request: AttestRequest): Promise<Eip712Attestation> {
    const key = request.idempotencyKey;
    if (key === undefined) return this.screenAndIssue(request);
    const flightKey = `${request.tenantId}\0${key}`;
    const running = this.inFlight.get(flightKey);
    if (running) return sameRequest(request, await running);
    const attempt = this.attestOnce(request, key).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, attempt);
    return attempt;
  }

  /** Returns the attestation already issued under the key, or issues one (another process may win the race). */
  private async attestOnce(request: AttestRequest, key: string): Promise<Eip712Attestation> {
    const existing = await withDatabase(() => this.findByKey(request.tenantId, key));
    if (existing) return sameRequest(request, existing);
    try {
      return await this.screenAndIssue(request);
    } catch (error) {
      const raced = [...causes(error)].some(
        (c) => (c as { constraint?: string }).constraint === IDEMPOTENCY_INDEX,
      );
      const winner = raced ? await withDatabase(() => this.findByKey(request.tenantId, key)) : undefined;
      if (winner) return sameRequest(request, winner);
      throw error;
    }
  }

  /**
   * The attestation issued under the key. A revoked or expired one is never handed out again as if it were valid:
   * the retry gets 409 with its status, and a new key issues a fresh attestation.
   */
  private async findByKey(tenantId: string, key: string): Promise<Eip712Attestation | undefined> {
    const row = await this.options.db.attestation.findUnique({
      where: { tenantId_idempotencyKey: { tenantId, idempotencyKey: key } },
    });
    if (!row) return undefined;
    if (row.status === 'revoked') {
      throw new CustosError(
        'ATTESTATION_REVOKED',
        `the attestation issued under this Idempotency-Key was revoked`,
        {
          uid: row.uid,
          revokedAt: row.revokedAt?.toISOString() ?? null,
        },
      );
    }
    if (row.expiresAt <= this.now()) {
      throw new CustosError(
        'ATTESTATION_EXPIRED',
        `the attestation issued under this Idempotency-Key has expired`,
        {
          uid: row.uid,
          expiresAt: Math.floor(row.expiresAt.getTime() / 1000),
        },
      );
    }
    return eip712Attestation({
      ...row,
      issuedAt: Math.floor(row.issuedAt.getTime() / 1000),
      expiresAt: Math.floor(row.expiresAt.getTime() / 1000),
      action: storedAction(row),
    });
  }

  private async screenAndIssue(request: AttestRequest): Promise<Eip712Attestation> {
    const policy = policyNamed(this.options.policies, request.policy);
    const now = this.now();
    const { decision } = await screenOrRefuse(this.options, policy, request, now);

    const signer = this.options.signer();
    let attestation: Eip712Attestation;
    try {
      attestation = await issueEip712Attestation({
        signer,
        subject: request.subject,
        policy: policy.name,
        chainId: this.options.chainId,
        gatekeeper: this.options.gatekeeper,
        issuedAt: Math.floor(now.getTime() / 1000) - ISSUANCE_CLOCK_SKEW_SECONDS,
        lifetimeSeconds: request.action ? policy.actionLifetimeSeconds : policy.lifetimeSeconds,
        action: request.action,
      });
    } catch (error) {
      throw signerUnavailable(signer, error);
    }

    await withDatabase(() =>
      this.options.log.add({
        attestation: {
          tenantId: request.tenantId,
          idempotencyKey: request.idempotencyKey ?? null,
          value: attestation,
        },
        audit: {
          type: 'attestation.issued',
          actor: request.actor,
          tenantId: request.tenantId,
          subject: attestation.subject,
          attestationUid: attestation.uid,
          payload: {
            ...decision,
            format: attestation.format,
            signer: attestation.signer,
            issuedAt: attestation.issuedAt,
            expiresAt: attestation.expiresAt,
            chainId: attestation.domain.chainId,
            gatekeeper: attestation.domain.verifyingContract,
            ...(attestation.action ? { action: attestation.action } : {}),
          },
        },
      }),
    );
    return attestation;
  }
}

/** What a failed signature becomes: nothing was issued, and a retry may succeed. */
export function signerUnavailable(signer: AttestationSigner, cause: unknown): CustosError {
  return new CustosError(
    'SIGNER_UNAVAILABLE',
    `the ${signer.backend} signer could not sign; retry shortly`,
    undefined,
    {
      cause,
    },
  );
}

const IDEMPOTENCY_INDEX = 'attestations_tenant_id_idempotency_key_key';

/** A replayed idempotency key must carry the same request it was first used with. */
function sameRequest(request: AttestRequest, attestation: Eip712Attestation): Eip712Attestation {
  if (
    attestation.subject !== request.subject ||
    attestation.policy !== request.policy ||
    !sameAction(attestation.action, request.action)
  ) {
    throw new CustosError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was used for another subject, policy or action',
    );
  }
  return attestation;
}

/** The bound call of a stored attestation row; undefined for a record attestation. */
export function storedAction(row: {
  actionTarget: string | null;
  actionSelector: string | null;
  actionArgsHash: string | null;
}): AttestedAction | undefined {
  if (row.actionTarget === null || row.actionSelector === null || row.actionArgsHash === null)
    return undefined;
  return { target: row.actionTarget, selector: row.actionSelector, argsHash: row.actionArgsHash };
}
