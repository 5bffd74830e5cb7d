import path from 'node:path';
import { operations, type zkParameters as zkParametersSchema } from '@custos/sdk/api';
import { Router } from 'express';
import type { z } from 'zod';
import { zkPolicyOf, zkUnsupportedReason } from '../../credentials/index.js';
import { policyIdOf } from '../../chain/index.js';
import { ARTIFACT_PATHS, artifactPath, loadManifest, policyHash, type ArtifactName } from '../../zk/index.js';
import type { ApiContext } from '../context.js';
import { actorOf, publicCors, publicRateLimit, tenantOf } from '../middleware.js';
import { rawRoute, route } from '../route.js';

const artifactUrl = (name: ArtifactName) => `/zk/${path.basename(ARTIFACT_PATHS[name])}`;
const SERVED_ARTIFACTS = [
  ['wasm', operations.circuitWasm],
  ['zkey', operations.circuitZkey],
  ['verificationKey', operations.circuitVerificationKey],
] as const;

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
  route(router, ctx, operations.issueCredential, ({ body }, { res }) => {
    ctx.emergency.assertIntakeOpen();
    return ctx.credentials.issue({ tenantId: tenantOf(res), actor: actorOf(res), ...body });
  });
  route(router, ctx, operations.issuancePath, ({ params }) => ctx.credentialPaths.issuance(params.id), {
    before: open,
  });
  route(router, ctx, operations.revocationPath, ({ params }) => ctx.credentialPaths.revocation(params.id), {
    before: open,
  });
  route(router, ctx, operations.zkParameters, () => parameters, { before: open });
  // The circuit's wasm, proving key and verification key, for provers in browsers (the manifest pins their hashes).
  for (const [name, operation] of SERVED_ARTIFACTS) {
    rawRoute(
      router,
      ctx,
      operation,
      (_request, { res }) => res.sendFile(artifactPath(name), { maxAge: '1h' }),
      {
        before: open,
      },
    );
  }
  return router;
}

/** What a holder needs besides its credential and paths: the chain, and each policy's zero-knowledge parameters. */
function zkParameters(ctx: ApiContext): z.input<typeof zkParametersSchema> {
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
