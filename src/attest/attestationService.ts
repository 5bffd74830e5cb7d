import type { Database, GroupCommit } from '../db/index.js';
import { CustosError, causes, withDatabase } from '../errors/index.js';
import type { AuditEventInput } from '../audit/index.js';
import {
  eip712Attestation,
  eip712BatchAttestation,
  issueBatch,
  issueEip712Attestation,
  type AttestedAction,
  type BatchLeafRecord,
  type Eip712Attestation,
  type Eip712BatchAttestation,
} from '../issuer/index.js';
import type { Policy } from '../screening/index.js';
import { sameAction } from './attestedAction.js';
import { IDEMPOTENCY_INDEX, recordBatch } from './batchLog.js';
import { BatchWindow } from './batchWindow.js';
import {
  policyNamed,
  refusalAudit,
  screenOrRefuse,
  heldRefusal,
  type AuditedDecision,
} from './screenOrRefuse.js';
import { SubjectHeldSinceScreening, type IssuanceEntry } from './issuanceLog.js';
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
  /** eip712-batch: how long a batch stays open after its first request, and how many leaves it takes at most. */
  batch?: { windowMs: number; maxSize: number };
  /** Called once per batch root signed (a metric). */
  onBatchSigned?: (size: number) => void;
  now?: () => Date;
}

/** What `attest` answers: a signed attestation, or a leaf of a signed batch. */
export type IssuedAttestation = Eip712Attestation | Eip712BatchAttestation;

export interface AttestRequest {
  tenantId: string;
  /** The caller's Idempotency-Key: the same key and request get the same attestation back. */
  idempotencyKey?: string;
  /** Who asked: the API key id. */
  actor: string;
  subject: string;
  policy: string;
  /** eip712 (the default) or eip712-batch: a leaf of a batch whose root alone is signed. */
  format?: 'eip712' | 'eip712-batch';
  /** Binds the attestation to this one call (the policy's short action lifetime, no on-chain record). */
  action?: AttestedAction;
}

/** One screened request waiting in a batch window. */
interface BatchLeafRequest {
  request: AttestRequest;
  decision: AuditedDecision;
  record: BatchLeafRecord;
}

/** A leaf whose Idempotency-Key another process took first: its caller is answered with that attestation. */
class IdempotencyRaceLost extends Error {
  readonly constraint = IDEMPOTENCY_INDEX;
}

/** What a leaf of a batch comes to: its attestation, or the error its request is answered with. */
type BatchLeafResult = Eip712BatchAttestation | Error;

/**
 * Screening, then issuance. Every decision is audited. A passing decision is signed first and then committed, with
 * its audit event, in one transaction: the attestation is returned only after that commit, so none exists without
 * its durable record, and a signer or database failure leaves nothing behind. An eip712-batch request waits for its
 * batch window instead: the batch's root is signed once, and the whole batch is committed before any of it answers.
 */
export class AttestationService {
  private readonly now: () => Date;
  /** Requests under way per tenant and idempotency key, so concurrent retries in this process sign once. */
  private readonly inFlight = new Map<string, Promise<IssuedAttestation>>();
  private readonly batches: BatchWindow<BatchLeafRequest, BatchLeafResult>;

  constructor(private readonly options: AttestationServiceOptions) {
    this.now = options.now ?? (() => new Date());
    const { windowMs, maxSize } = options.batch ?? { windowMs: 5, maxSize: 256 };
    this.batches = new BatchWindow((leaves) => this.issueBatch(leaves), windowMs, maxSize);
  }

  async attest(request: AttestRequest): Promise<IssuedAttestation> {
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
  private async attestOnce(request: AttestRequest, key: string): Promise<IssuedAttestation> {
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
  private async findByKey(tenantId: string, key: string): Promise<IssuedAttestation | undefined> {
    const row = await this.options.db.attestation.findUnique({
      where: { tenantId_idempotencyKey: { tenantId, idempotencyKey: key } },
      include: { batch: true },
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
    const record = {
      ...row,
      issuedAt: Math.floor(row.issuedAt.getTime() / 1000),
      expiresAt: Math.floor(row.expiresAt.getTime() / 1000),
    };
    if (row.batch) return eip712BatchAttestation(record, storedBatch(row.batch, row.batchProof));
    return eip712Attestation({ ...record, action: storedAction(row) });
  }

  private async screenAndIssue(request: AttestRequest): Promise<IssuedAttestation> {
    const policy = policyNamed(this.options.policies, request.policy);
    const now = this.now();
    const { decision } = await screenOrRefuse(this.options, policy, request, now);
    const issuedAt = Math.floor(now.getTime() / 1000) - ISSUANCE_CLOCK_SKEW_SECONDS;

    if (request.format === 'eip712-batch') {
      const record = {
        subject: request.subject,
        policy: policy.name,
        issuedAt,
        expiresAt: issuedAt + policy.lifetimeSeconds,
      };
      const leaf = await this.batches.add({ request, decision, record });
      if (leaf instanceof Error) throw leaf;
      return leaf;
    }

    const signer = this.options.signer();
    let attestation: Eip712Attestation;
    try {
      attestation = await issueEip712Attestation({
        signer,
        subject: request.subject,
        policy: policy.name,
        chainId: this.options.chainId,
        gatekeeper: this.options.gatekeeper,
        issuedAt,
        lifetimeSeconds: request.action ? policy.actionLifetimeSeconds : policy.lifetimeSeconds,
        action: request.action,
      });
    } catch (error) {
      throw signerUnavailable(signer, error);
    }

    try {
      await withDatabase(() =>
        this.options.log.add({
          attestation: {
            tenantId: request.tenantId,
            idempotencyKey: request.idempotencyKey ?? null,
            value: attestation,
          },
          audit: issuedAudit(
            request,
            decision,
            attestation,
            attestation.action ? { action: attestation.action } : {},
          ),
        }),
      );
    } catch (error) {
      if (!(error instanceof SubjectHeldSinceScreening)) throw error;
      const refusal = heldRefusal(decision);
      await withDatabase(() => this.options.log.add({ audit: refusalAudit(request, refusal.refused) }));
      throw refusal.error;
    }
    return attestation;
  }

  /**
   * Signs a batch window's leaves with one signature of their root and records them all. A signer failure fails the
   * whole batch (SIGNER_UNAVAILABLE, nothing stored), as does a failed commit. A leaf whose subject was held while
   * it waited (revoked by an officer) is refused with SCREENING_FAILED, and the others are signed again without it.
   */
  private async issueBatch(leaves: BatchLeafRequest[]): Promise<BatchLeafResult[]> {
    const results: (BatchLeafResult | undefined)[] = leaves.map(() => undefined);
    const refusals: AuditEventInput[] = [];
    let admitted = leaves.map((_, i) => i);
    for (;;) {
      const issued = admitted.length > 0 ? await this.signBatch(admitted.map((i) => leaves[i]!)) : [];
      const recording = await withDatabase(() =>
        recordBatch(
          this.options.db,
          admitted.map((leafIndex, i) => {
            const { request, decision } = leaves[leafIndex]!;
            return {
              tenantId: request.tenantId,
              idempotencyKey: request.idempotencyKey ?? null,
              attestation: issued[i]!,
              audit: issuedAudit(request, decision, issued[i]!, {
                batch: { root: issued[i]!.batch.root, size: issued[i]!.batch.size },
              }),
            };
          }),
          refusals,
        ),
      );
      if ('raced' in recording) {
        admitted.forEach((leafIndex, i) => {
          results[leafIndex] = recording.raced.has(i) ? new IdempotencyRaceLost() : issued[i]!;
        });
        return results.map((result) => result!);
      }
      const held = new Set(recording.held.map((i) => admitted[i]!));
      for (const leafIndex of held) {
        const { request, decision } = leaves[leafIndex]!;
        const { error, refused } = heldRefusal(decision);
        results[leafIndex] = error;
        refusals.push(refusalAudit(request, refused));
      }
      admitted = admitted.filter((leafIndex) => !held.has(leafIndex));
    }
  }

  /** One signature of the root of `leaves`' tree (one KMS or HSM call). */
  private async signBatch(leaves: BatchLeafRequest[]): Promise<Eip712BatchAttestation[]> {
    const signer = this.options.signer();
    let issued: Eip712BatchAttestation[];
    try {
      issued = await issueBatch(
        signer,
        { chainId: this.options.chainId, gatekeeper: this.options.gatekeeper },
        leaves.map((leaf) => leaf.record),
      );
    } catch (error) {
      throw signerUnavailable(signer, error);
    }
    this.options.onBatchSigned?.(issued.length);
    return issued;
  }
}

/** The audit event of an issued attestation: the decision and what was issued (`extra`: its action or batch). */
function issuedAudit(
  request: AttestRequest,
  decision: AuditedDecision,
  attestation: IssuedAttestation,
  extra: Record<string, unknown>,
): AuditEventInput {
  return {
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
      ...extra,
    },
  };
}

/** A stored batch and a leaf's stored proof, as a response carries them. */
export function storedBatch(
  batch: { root: string; signature: string; size: number },
  proof: unknown,
): Eip712BatchAttestation['batch'] {
  return { root: batch.root, signature: batch.signature, size: batch.size, proof: proof as string[] };
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

/** A replayed idempotency key must carry the same request it was first used with. */
function sameRequest(request: AttestRequest, attestation: IssuedAttestation): IssuedAttestation {
  if (
    attestation.subject !== request.subject ||
    attestation.policy !== request.policy ||
    attestation.format !== (request.format ?? 'eip712') ||
    !sameAction(attestation.format === 'eip712' ? attestation.action : undefined, request.action)
  ) {
    throw new CustosError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was used for another subject, policy, format or action',
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
