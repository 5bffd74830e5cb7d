import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { zkPolicyOf, zkUnsupportedReason } from '../../credentials/index.js';
import { policyIdOf } from '../../chain/index.js';
import { subjectAddress } from '../../screening/index.js';
import { ARTIFACT_PATHS, artifactPath, loadManifest, policyHash, type ArtifactName } from '../../zk/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, authenticate, publicCors, publicRateLimit, tenantOf } from '../middleware.js';
import { jsonBody } from '../body.js';
import { validate } from '../validate.js';
import { fieldElement } from '../zkFields.js';

const credentialBody = z
  .object({
    subject: subjectAddress,
    policy: z.string().min(1).max(64),
    identityCommitment: fieldElement,
  })
  .strict();

const SERVED_ARTIFACTS: ArtifactName[] = ['wasm', 'zkey', 'verificationKey'];
const artifactUrl = (name: ArtifactName) => `/zk/${path.basename(ARTIFACT_PATHS[name])}`;

const credentialIdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
});

/**
 * Zero-knowledge credentials: issuance for a holder's identity commitment (a dApp key: it screens a subject), the
 * two Merkle paths a holder proves with, and the public parameters and circuit artifacts the holder SDK needs.
 * Paths and parameters are public (hashes and roots only; rate-limited per client address), so a holder's browser
 * can fetch them without the dApp's key.
 */
export function credentialRoutes(ctx: ApiContext): Router {
  const router = Router();
  const open = [publicRateLimit(ctx), publicCors];
  // Policies and the manifest are fixed for the process's life: built once, not read from disk per request.
  const parameters = zkParameters(ctx);
  router.post(
    '/v1/credentials',
    authenticate(ctx, ['dapp', 'admin']),
    jsonBody(ctx.env.BODY_LIMIT),
    async (req, res) => {
      const body = validate(credentialBody, req.body);
      res.json(
        await ctx.credentials.issue({
          tenantId: tenantOf(res),
          actor: actorOf(res),
          subject: body.subject,
          policy: body.policy,
          identityCommitment: body.identityCommitment,
        }),
      );
    },
  );
  router.get('/v1/credentials/:id/issuance-path', ...open, async (req, res) => {
    const { id } = validate(credentialIdParam, req.params);
    res.json(await ctx.credentialPaths.issuance(id));
  });
  router.get('/v1/credentials/:id/revocation-path', ...open, async (req, res) => {
    const { id } = validate(credentialIdParam, req.params);
    res.json(await ctx.credentialPaths.revocation(id));
  });
  router.get('/v1/zk', ...open, (_req, res) => {
    res.json(parameters);
  });
  // The circuit's wasm, proving key and verification key, for provers in browsers (the manifest pins their hashes).
  for (const name of SERVED_ARTIFACTS) {
    router.get(artifactUrl(name), ...open, (_req, res) => {
      res.sendFile(artifactPath(name), { maxAge: '1h' });
    });
  }
  return router;
}

/** What a holder needs besides its credential and paths: the chain, and each policy's zero-knowledge parameters. */
function zkParameters(ctx: ApiContext) {
  const manifest = loadManifest();
  const policies = [...ctx.policies.values()].map((policy) => {
    const unsupported = zkUnsupportedReason(policy);
    if (unsupported)
      return { name: policy.name, policyId: policyIdOf(policy.name), supported: false, unsupported };
    const zk = zkPolicyOf(policy);
    return {
      name: policy.name,
      policyId: policyIdOf(policy.name),
      supported: true,
      policyTag: zk.policyTag.toString(),
      minAge: zk.minAge,
      requireAccredited: zk.requireAccredited,
      maxRiskTier: zk.maxRiskTier,
      deniedCountries: zk.deniedCountries,
      policyHash: policyHash(zk).toString(),
    };
  });
  return {
    chainId: ctx.chainId,
    gatekeeper: ctx.contracts.ComplianceGatekeeper,
    revocationRegistry: ctx.contracts.RevocationRegistry,
    policies,
    circuit: {
      constraints: manifest.constraints,
      publicSignals: manifest.publicSignals,
      wasm: artifactUrl('wasm'),
      zkey: artifactUrl('zkey'),
      verificationKey: artifactUrl('verificationKey'),
      sha256: manifest.sha256,
    },
  };
}
