// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IComplianceGatekeeper
/// @notice The on-chain check behind every Custos attestation: gated contracts ask it whether an address is
/// compliant with a policy before they mint, transfer or execute.
/// @custom:security-contact security@custos.dev
interface IComplianceGatekeeper {
    /// @notice An EIP-712 attestation issued by a trusted Custos signer.
    /// @dev Typed as `Attestation(bytes32 uid,address subject,bytes32 policyId,uint64 issuedAt,uint64 expiresAt)`.
    /// `policyId = keccak256(bytes(policyName))`.
    struct Attestation {
        bytes32 uid;
        address subject;
        bytes32 policyId;
        uint64 issuedAt;
        uint64 expiresAt;
    }

    /// @notice An EIP-712 attestation for one call, spent by the contract it names (see {consumeActionAttestation}).
    /// @dev Typed as `ActionAttestation(bytes32 uid,address subject,bytes32 policyId,address target,bytes4 selector,
    /// bytes32 argsHash,uint64 issuedAt,uint64 expiresAt)`; the domain binds it to the chain and this gatekeeper.
    /// `argsHash` is keccak256 of the call's ABI-encoded arguments as the target defines them (for
    /// `AgentRegistry.executeWithAttestation`: `keccak256(abi.encode(agentId, taskHash))`).
    struct ActionAttestation {
        bytes32 uid;
        address subject;
        bytes32 policyId;
        address target;
        bytes4 selector;
        bytes32 argsHash;
        uint64 issuedAt;
        uint64 expiresAt;
    }

    /// @notice A signer's trust window: attestations issued in `[validFrom, validUntil]` are accepted.
    struct SignerWindow {
        uint64 validFrom;
        uint64 validUntil;
    }

    /// @notice Thrown when the attestation's `expiresAt` is not in the future.
    error AttestationExpired(uint64 expiresAt);
    /// @notice Thrown when the attestation's `issuedAt` is later than the current block.
    error AttestationNotYetValid(uint64 issuedAt);
    /// @notice Thrown when `expiresAt - issuedAt` exceeds the policy's maximum lifetime.
    error AttestationLifetimeInvalid(uint64 issuedAt, uint64 expiresAt, uint64 maxLifetime);
    /// @notice Thrown when the attestation's uid was already submitted once.
    error AttestationAlreadyUsed(bytes32 uid);
    /// @notice Thrown when the attestation's uid was revoked in the RevocationRegistry.
    error AttestationRevoked(bytes32 uid);
    /// @notice Thrown when the attestation was issued before the one the record of its subject and policy holds
    /// (`recordIssuedAt`), even if that one was revoked or has expired: the record never goes back in time.
    error AttestationSuperseded(bytes32 uid, uint64 issuedAt, uint64 recordIssuedAt);
    /// @notice Thrown when a credential proof is older (`issuedAt`: its timestamp, at most the block time) than the
    /// attestation or proof the record of its recipient and policy holds (`recordIssuedAt`).
    error ProofSuperseded(uint256 nullifier, uint64 issuedAt, uint64 recordIssuedAt);
    /// @notice Thrown when the attestation names the zero address as subject.
    error AttestationZeroSubject();
    /// @notice Thrown when the signature does not recover to any address.
    error InvalidSignature();
    /// @notice Thrown when the signature is not exactly 65 bytes (compact EIP-2098 signatures are refused).
    error InvalidSignatureLength(uint256 length);
    /// @notice Thrown when the signature's `s` is in the upper half of the curve order (malleable).
    error MalleableSignature(bytes32 s);
    /// @notice Thrown when the recovered signer was not trusted at the attestation's `issuedAt`.
    error UntrustedSigner(address signer, uint64 issuedAt);
    /// @notice Thrown when a policy id is not enabled on this gatekeeper.
    error UnknownPolicy(bytes32 policyId);
    /// @notice Thrown when a policy would be enabled with a zero maximum lifetime.
    error InvalidPolicyLifetime(bytes32 policyId);
    /// @notice Thrown when a signer window is empty or the signer is the zero address.
    error InvalidSignerWindow(address signer, uint64 validFrom, uint64 validUntil);
    /// @notice Thrown when removing a signer that is not registered.
    error SignerNotRegistered(address signer);
    /// @notice Thrown when anyone but the bound RevocationRegistry reports a revocation.
    error CallerNotRevocationRegistry(address caller);
    /// @notice Thrown when a contract other than the action attestation's `target` tries to consume it.
    error ActionTargetMismatch(address target, address caller);
    /// @notice Thrown when the action attestation's subject is not the one the target acts for.
    error ActionSubjectMismatch(address attested, address expected);
    /// @notice Thrown when the action attestation's policy is not the target's.
    error ActionPolicyMismatch(bytes32 attested, bytes32 expected);
    /// @notice Thrown when the action attestation was issued for another function of the target.
    error ActionSelectorMismatch(bytes4 attested, bytes4 expected);
    /// @notice Thrown when the action attestation was issued for other arguments.
    error ActionArgsMismatch(bytes32 attested, bytes32 expected);
    /// @notice Thrown when a constructor argument is the zero address.
    error ZeroAddress();
    /// @notice Thrown when the Merkle proof of the attestation `uid` does not lead to the batch `root`.
    error AttestationNotInBatch(bytes32 uid, bytes32 root);

    /// @notice Emitted when an attestation is accepted and `subject` becomes compliant with `policyId`.
    event AttestationSubmitted(
        bytes32 indexed uid, address indexed subject, bytes32 indexed policyId, address signer, uint64 expiresAt
    );
    /// @notice Emitted when `target` spends an action attestation for `subject`'s call of `selector`.
    event ActionAttestationConsumed(
        bytes32 indexed uid, address indexed subject, address indexed target, bytes4 selector, address signer
    );
    /// @notice Emitted when the first leaf of batch `root` is accepted: `signer` signed the root, and later leaves of
    /// the batch are checked against it without a signature.
    event AttestationBatchVerified(bytes32 indexed root, address indexed signer);
    /// @notice Emitted when a revoked uid is seen by the gatekeeper; `cleared` tells whether a live record fell.
    event AttestationInvalidated(bytes32 indexed uid, bool cleared);
    /// @notice Emitted when a signer is added or its trust window changes.
    event SignerUpdated(address indexed signer, uint64 validFrom, uint64 validUntil);
    /// @notice Emitted when a signer is removed outright (for a compromised key).
    event SignerRemoved(address indexed signer);
    /// @notice Emitted when a policy is enabled or its maximum attestation lifetime changes.
    event PolicyUpdated(bytes32 indexed policyId, uint64 maxLifetime);
    /// @notice Emitted when a policy is disabled: no new attestations for it are accepted.
    event PolicyDisabled(bytes32 indexed policyId);

    /// @notice Verifies `attestation` and its `signature`, then records `subject` as compliant with the policy
    /// until `expiresAt`. Anyone may submit (relayers included); the record always goes to `attestation.subject`.
    /// The record keeps the newest attestation by `issuedAt`: an older one reverts with {AttestationSuperseded}.
    function submitAttestation(Attestation calldata attestation, bytes calldata signature) external;

    /// @notice Verifies `attestation` as one leaf of a batch whose Merkle `root` alone was signed (EIP-712
    /// `AttestationBatch(bytes32 root)`), then records it exactly as {submitAttestation} does (same checks, same
    /// record, same {AttestationSubmitted} event). Anyone may submit.
    /// @dev The leaf is `keccak256(bytes.concat(structHash))`, `structHash` being the EIP-712 struct hash of the
    /// `Attestation` (the one {submitAttestation}'s digest covers); the tree is OpenZeppelin's (sorted pairs), a batch
    /// of one has `root = leaf` and an empty `proof`. The first accepted leaf of `root` recovers its signer from
    /// `rootSignature` and remembers it ({AttestationBatchVerified}); later leaves may pass empty bytes. The signer
    /// must be trusted at each leaf's `issuedAt`, so removing it also stops the roots it signed.
    /// @param attestation The leaf: an attestation as {submitAttestation} takes it.
    /// @param root The batch's Merkle root.
    /// @param rootSignature The EIP-712 signature of `root` by a trusted signer; ignored once `root` is remembered.
    /// @param proof The sibling hashes from the leaf up to `root` ({AttestationNotInBatch} when they do not lead
    /// there).
    function submitBatchedAttestation(
        Attestation calldata attestation,
        bytes32 root,
        bytes calldata rootSignature,
        bytes32[] calldata proof
    ) external;

    /// @notice The signer remembered for batch `root` on this chain; address(0) if no leaf of it was accepted.
    function batchRootSigner(bytes32 root) external view returns (address);

    /// @notice For gated contracts: verifies an action attestation for the calling contract (`msg.sender` must be
    /// its `target`) and spends its uid. The caller passes what it is about to do: the `subject` it acts for, its
    /// `policyId`, the `selector` of its function and the `argsHash` of the arguments; each must equal the attested
    /// value. Times, signer trust, revocation and the one-time uid are checked as for {submitAttestation}. No
    /// compliance record is written, so nothing lingers after the action.
    function consumeActionAttestation(
        ActionAttestation calldata attestation,
        bytes calldata signature,
        address subject,
        bytes32 policyId,
        bytes4 selector,
        bytes32 argsHash
    ) external;

    /// @notice Whether `subject` holds a live (unexpired, unrevoked) attestation for `policyId`. One storage read.
    function isCompliant(address subject, bytes32 policyId) external view returns (bool);

    /// @notice Whether new attestations for `policyId` are accepted.
    function isPolicyEnabled(bytes32 policyId) external view returns (bool);

    /// @notice Called by the bound RevocationRegistry when `uid` is revoked.
    function onAttestationRevoked(bytes32 uid) external;
}
