import { UNCAPPED, type delegationTerms } from '@custos/sdk/api';
import { Signature, recoverAddress } from 'ethers';
import type { z } from 'zod';
import { CustosError, causes, withDatabase } from '../errors/index.js';
import {
  delegationDigest,
  signedDelegation,
  type DelegationRecord,
  type SignedDelegation,
} from '../issuer/index.js';
import type { Policy } from '../screening/index.js';
import { signerUnavailable, type AttestationServiceOptions } from './attestationService.js';
import { SubjectHeldSinceScreening } from './issuanceLog.js';
import { heldRefusal, policyNamed, refusalAudit, screenOrRefuse } from './screenOrRefuse.js';

/**
 * How old a delegation's `issuedAt` may be when it reaches Custos: the principal signs just before asking. Older
 * terms would let a principal sign once and have Custos countersign whenever it likes.
 */
export const DELEGATION_MAX_AGE_SECONDS = 600;

/** The same dependencies as attestations: the issuance log, the policies, the active signer, the chain. */
export type DelegationServiceOptions = AttestationServiceOptions;

export interface DelegateRequest {
  tenantId: string;
  actor: string;
  terms: z.output<typeof delegationTerms>;
  principalSignature: string;
}

const UID_TAKEN = 'attestations_pkey';

/**
 * Countersigning a principal's delegation to an agent: the terms must fit the policy, the principal's signature must
 * be its own over the delegation's EIP-712 digest, and the principal must pass screening now (a failure is audited).
 * Custos then signs the same digest; the delegation, both signatures and its audit event are committed together
 * before it is returned.
 */
export class DelegationService {
  private readonly now: () => Date;

  constructor(private readonly options: DelegationServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async delegate(request: DelegateRequest): Promise<SignedDelegation> {
    const policy = policyNamed(this.options.policies, request.terms.policy);
    const now = this.now();
    const record: DelegationRecord = { ...request.terms, spendCap: request.terms.spendCap ?? UNCAPPED };
    checkTerms(record, policy, Math.floor(now.getTime() / 1000));
    const digest = delegationDigest(this.options.chainId, this.options.gatekeeper, record);
    checkPrincipalSignature(digest, request.principalSignature, record.principal);

    const { decision } = await screenOrRefuse(
      this.options,
      policy,
      { actor: request.actor, tenantId: request.tenantId, subject: record.principal },
      now,
    );
    const signer = this.options.signer();
    let signature: string;
    try {
      signature = (await signer.signDigest(digest)).serialized;
    } catch (error) {
      throw signerUnavailable(signer, error);
    }
    const delegation = signedDelegation(record, {
      chainId: this.options.chainId,
      gatekeeper: this.options.gatekeeper,
      signer: signer.address,
      principalSignature: request.principalSignature,
      signature,
    });
    try {
      await withDatabase(() =>
        this.options.log.add({
          delegation: { tenantId: request.tenantId, value: delegation },
          audit: {
            type: 'delegation.issued',
            actor: request.actor,
            tenantId: request.tenantId,
            subject: delegation.principal,
            attestationUid: delegation.uid,
            payload: {
              ...decision,
              agent: delegation.agent,
              permissions: delegation.permissions,
              spendCap: delegation.spendCap,
              issuedAt: delegation.issuedAt,
              expiresAt: delegation.expiresAt,
              signer: delegation.signer,
              principalSignature: delegation.principalSignature,
              signature: delegation.signature,
              chainId: delegation.domain.chainId,
              gatekeeper: delegation.domain.verifyingContract,
            },
          },
        }),
      );
    } catch (error) {
      if (error instanceof SubjectHeldSinceScreening) {
        const refusal = heldRefusal(decision);
        const subject = { actor: request.actor, tenantId: request.tenantId, subject: record.principal };
        await withDatabase(() => this.options.log.add({ audit: refusalAudit(subject, refusal.refused) }));
        throw refusal.error;
      }
      if ([...causes(error)].some((c) => (c as { constraint?: string }).constraint === UID_TAKEN)) {
        throw new CustosError(
          'ALREADY_EXISTS',
          `uid ${delegation.uid} is already used; sign with a fresh uid`,
        );
      }
      throw error;
    }
    return delegation;
  }
}

function unacceptable(reason: string, message: string): CustosError {
  return new CustosError('DELEGATION_UNACCEPTABLE', message, { reason });
}

/** What the gatekeeper would refuse, refused here first: parties, duplicate calls, times and lifetime. */
function checkTerms(record: DelegationRecord, policy: Policy, nowSeconds: number): void {
  if (record.principal === record.agent) {
    throw unacceptable('SELF_DELEGATION', 'the agent must be another address than the principal');
  }
  const calls = new Set(record.permissions.map((p) => `${p.target}:${p.selector}`));
  if (calls.size !== record.permissions.length) {
    throw unacceptable('DUPLICATE_PERMISSION', 'each target and selector may be listed once');
  }
  if (record.issuedAt > nowSeconds) {
    throw unacceptable(
      'ISSUED_IN_FUTURE',
      `issuedAt ${record.issuedAt} is after Custos' clock (${nowSeconds})`,
    );
  }
  if (record.issuedAt < nowSeconds - DELEGATION_MAX_AGE_SECONDS) {
    throw unacceptable(
      'ISSUED_TOO_LONG_AGO',
      `issuedAt must be within ${DELEGATION_MAX_AGE_SECONDS} seconds of now; sign fresh terms`,
    );
  }
  if (record.expiresAt <= nowSeconds) throw unacceptable('EXPIRED', 'expiresAt is not in the future');
  if (record.expiresAt - record.issuedAt > policy.lifetimeSeconds) {
    throw unacceptable(
      'LIFETIME_TOO_LONG',
      `policy ${policy.name} allows delegations of at most ${policy.lifetimeSeconds} seconds`,
    );
  }
}

/** The principal's signature must be canonical (low s, as the gatekeeper demands) and recover to the principal. */
function checkPrincipalSignature(digest: string, signature: string, principal: string): void {
  let recovered: string | undefined;
  try {
    const parsed = Signature.from(signature);
    if (parsed.serialized.toLowerCase() === signature.toLowerCase())
      recovered = recoverAddress(digest, parsed);
  } catch {
    // not a signature at all: refused below
  }
  if (recovered !== principal) {
    throw new CustosError(
      'INVALID_PRINCIPAL_SIGNATURE',
      "principalSignature is not the principal's canonical signature over this delegation's EIP-712 digest",
    );
  }
}
