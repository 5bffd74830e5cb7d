// Zero-knowledge credentials on the service side: issuance into the PostgreSQL issuance tree, the paths holders
// prove with, revocation roots, issuance roots and custodial proofs.
export { CredentialService, type CredentialRequest, type IssuedCredential } from './credentialService.js';
export { CredentialRevoker, type CredentialRevocations } from './credentialRevoker.js';
export { IssuanceRootPublisher, type PublishedIssuanceRoot } from './issuanceRoots.js';
export { CredentialPaths, type CredentialPath, type RevocationPath } from './paths.js';
export { RevocationRootPublisher, type RevocationRootPublication } from './revocationRoots.js';
export { ZkAttestationService, type ZkAttestRequest, type ZkAttestation } from './zkAttestationService.js';
export { countryNumber, zkPolicyHashOf, zkPolicyOf, zkUnsupportedReason } from './zkPolicy.js';
