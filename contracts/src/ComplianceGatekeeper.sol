// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAgentDelegations} from "./interfaces/IAgentDelegations.sol";
import {IComplianceGatekeeper} from "./interfaces/IComplianceGatekeeper.sol";
import {ICredentialVerifier} from "./interfaces/ICredentialVerifier.sol";
import {RevocationRegistry} from "./RevocationRegistry.sol";
import {ZkCredentials} from "./zk/ZkCredentials.sol";

/// @title ComplianceGatekeeper
/// @notice Verifies Custos EIP-712 attestations and records who is compliant with which policy, so that gated
/// contracts pay one storage read per check.
/// @dev Trust model:
/// - Signers are trusted for a window `[validFrom, validUntil]` over the attestation's `issuedAt`, so a key can be
///   rotated with an overlap and no downtime. A compromised key is removed outright with {removeSigner}.
/// - Each policy caps an attestation's lifetime, which also bounds how long a retired key's attestations live.
/// - The EIP-712 domain (`Custos`, `1`, chain id, this address) is rebuilt by OpenZeppelin's {EIP712} whenever
///   `block.chainid` changes, so a signature never replays on another chain or another gatekeeper.
/// - Uids are one-time; signatures are never used as identifiers (they are malleable). Only canonical 65-byte,
///   low-s signatures are accepted.
/// - Revocations arrive from the bound {RevocationRegistry} in the same transaction that revokes, so a revoked
///   attestation stops counting from the next block on.
/// - The record of a subject and policy only moves forward in time: an attestation issued before the one the record
///   holds is refused ({AttestationSuperseded}), even after that one was revoked or expired, so an older signed
///   attestation can neither shorten a newer one nor outlive its revocation. Proofs take part in the same order.
/// NOTE: pausing stops new attestations; records already made stay live until they expire or are revoked, so that
/// an emergency stop does not freeze every gated token at once. Gated contracts that need a global stop pause
/// themselves.
/// @custom:security-contact security@custos.dev
/// - Zero-knowledge credentials ({ZkCredentials}): issuance roots arrive signed by the same trusted signers;
///   {submitProof} records compliance for the proof's recipient for {ZK_RECORD_LIFETIME}, and {consumeProof} lets a
///   gated contract spend a proof for one action without a record.
/// - Action attestations ({consumeActionAttestation}) are spent by the contract they name, for one function and one
///   set of arguments, once; they share the uid space (one-time, revocable) and the signers, and write no record.
/// - Batched attestations ({submitBatchedAttestation}): one signature covers the Merkle root of many attestations;
///   each leaf then passes exactly the checks of {submitAttestation}. A root's signer is remembered per chain (keyed by
///   the root's EIP-712 digest), so a remembered root does not carry over to a fork either.
/// - Delegations ({IAgentDelegations}) let an agent act for a compliant principal in the calls it allows, while the
///   principal's own record is live; their uids are revocable like attestations'.
contract ComplianceGatekeeper is
    IComplianceGatekeeper,
    IAgentDelegations,
    ZkCredentials,
    AccessControl,
    Pausable,
    EIP712
{
    /// @notice Manages the trusted signer set.
    bytes32 public constant SIGNER_MANAGER_ROLE = keccak256("SIGNER_MANAGER_ROLE");
    /// @notice May pause and unpause attestation intake.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice The EIP-712 type hash of {Attestation}.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(bytes32 uid,address subject,bytes32 policyId,uint64 issuedAt,uint64 expiresAt)");

    /// @notice The EIP-712 type hash of a signed batch root ({submitBatchedAttestation}).
    bytes32 public constant ATTESTATION_BATCH_TYPEHASH = keccak256("AttestationBatch(bytes32 root)");

    /// @notice The EIP-712 type hash of {ActionAttestation}.
    bytes32 public constant ACTION_ATTESTATION_TYPEHASH = keccak256(
        "ActionAttestation(bytes32 uid,address subject,bytes32 policyId,address target,bytes4 selector,bytes32 argsHash,uint64 issuedAt,uint64 expiresAt)"
    );

    /// @notice The EIP-712 type hash of {Delegation}.
    bytes32 public constant DELEGATION_TYPEHASH = keccak256(
        "Delegation(bytes32 uid,address principal,address agent,bytes32 policyId,Permission[] permissions,uint128 spendCap,uint64 issuedAt,uint64 expiresAt)Permission(address target,bytes4 selector)"
    );
    /// @notice The EIP-712 type hash of {Permission}.
    bytes32 public constant PERMISSION_TYPEHASH = keccak256("Permission(address target,bytes4 selector)");
    /// @notice The most calls one delegation may allow (each is a storage slot written at submission).
    uint256 public constant MAX_DELEGATION_PERMISSIONS = 16;

    /// @notice The EIP-712 type hash of a signed issuance root.
    bytes32 internal constant ISSUANCE_ROOT_TYPEHASH = keccak256("IssuanceRoot(uint256 root,uint64 issuedAt)");
    /// @notice How long a proof makes its recipient compliant (a credential's own expiry stays private).
    uint64 internal constant ZK_RECORD_LIFETIME = 1 days;

    /// @notice Where a uid stands: never seen, submitted, or revoked.
    enum UidStatus {
        Unused,
        Used,
        Revoked
    }

    /// @dev What makes a subject compliant with a policy, in one slot so that {isCompliant} is a single read.
    /// - `validUntil`: when compliance ends; 0 once the attestation the record holds is revoked.
    /// - `issuedAt`: the `issuedAt` of the attestation the record holds (of a proof: its timestamp, at most the block
    ///   time). It never decreases: a revocation keeps it, so an older attestation cannot take the place of a
    ///   revoked newer one.
    /// - `uidPrefix`: the first 128 bits of that attestation's uid (of a proof: of its nullifier), telling whether the
    ///   record still belongs to the uid being revoked. Uids are 32 random bytes (src/issuer), chosen by the service
    ///   and covered by its signature, so a second uid matching a record's prefix has a chance of 2^-128.
    struct ComplianceRecord {
        uint64 validUntil;
        uint64 issuedAt;
        bytes16 uidPrefix;
    }

    /// @dev Marks a revoked uid in `_uidState`.
    bytes32 private constant _REVOKED = bytes32(uint256(1));
    /// @dev Marks a spent action attestation's uid in `_uidState`. Any value above the markers is the record key the
    /// uid wrote (a keccak256 output, never this small).
    bytes32 private constant _ACTION_SPENT = bytes32(uint256(2));
    /// @dev Marks a submitted delegation's uid in `_uidState`.
    bytes32 private constant _DELEGATED = bytes32(uint256(3));
    /// @dev The highest marker value in `_uidState`.
    uint256 private constant _LAST_MARKER = 3;

    /// @notice The registry whose revocations this gatekeeper honours.
    address public immutable revocationRegistry;

    mapping(address signer => SignerWindow) private _signers;
    mapping(bytes32 policyId => uint64 maxLifetime) private _policyMaxLifetime;
    mapping(bytes32 uid => bytes32 state) private _uidState;
    mapping(bytes32 recordKey => ComplianceRecord) private _records;
    mapping(bytes32 uid => DelegationState) private _delegations;
    mapping(bytes32 permissionKey => bool) private _delegatedCalls;
    /// @dev Keyed by the root's EIP-712 digest rather than the root: bound to this chain and this gatekeeper.
    mapping(bytes32 rootDigest => address signer) private _batchRootSigners;

    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants roles, manages policies); a multisig in production.
    /// @param revocationRegistry_ The RevocationRegistry that reports revocations to this gatekeeper.
    constructor(address admin, address revocationRegistry_) EIP712("Custos", "1") {
        if (admin == address(0) || revocationRegistry_ == address(0)) revert ZeroAddress();
        revocationRegistry = revocationRegistry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- attestations

    /// @inheritdoc IComplianceGatekeeper
    function submitAttestation(Attestation calldata attestation, bytes calldata signature) external whenNotPaused {
        _acceptAttestation(attestation, _recoverSigner(hashAttestation(attestation), signature));
    }

    /// @inheritdoc IComplianceGatekeeper
    function submitBatchedAttestation(
        Attestation calldata attestation,
        bytes32 root,
        bytes calldata rootSignature,
        bytes32[] calldata proof
    ) external whenNotPaused {
        // Hashed twice (OpenZeppelin's advice): a 32-byte preimage, so a leaf is never taken for an inner node.
        bytes32 leaf = keccak256(bytes.concat(_attestationStructHash(attestation)));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert AttestationNotInBatch(attestation.uid, root);
        bytes32 rootDigest = _hashBatchRoot(root);
        address signer = _batchRootSigners[rootDigest];
        if (signer == address(0)) {
            signer = _recoverSigner(rootDigest, rootSignature);
            // Remembered even if the signer turns out untrusted: _acceptAttestation then reverts, undoing this.
            _batchRootSigners[rootDigest] = signer;
            emit AttestationBatchVerified(root, signer);
        }
        _acceptAttestation(attestation, signer);
    }

    /// @inheritdoc IComplianceGatekeeper
    function batchRootSigner(bytes32 root) external view returns (address) {
        return _batchRootSigners[_hashBatchRoot(root)];
    }

    /// @inheritdoc IComplianceGatekeeper
    function consumeActionAttestation(
        ActionAttestation calldata attestation,
        bytes calldata signature,
        address subject,
        bytes32 policyId,
        bytes4 selector,
        bytes32 argsHash
    ) external whenNotPaused {
        if (attestation.target != msg.sender) {
            revert ActionTargetMismatch(attestation.target, msg.sender);
        }
        if (attestation.subject != subject) revert ActionSubjectMismatch(attestation.subject, subject);
        if (attestation.policyId != policyId) revert ActionPolicyMismatch(attestation.policyId, policyId);
        if (attestation.selector != selector) revert ActionSelectorMismatch(attestation.selector, selector);
        if (attestation.argsHash != argsHash) revert ActionArgsMismatch(attestation.argsHash, argsHash);
        if (subject == address(0)) revert AttestationZeroSubject();
        _checkTimes(policyId, attestation.issuedAt, attestation.expiresAt);

        bytes32 uid = attestation.uid;
        _checkUnused(uid);
        address signer = _recoverSigner(hashActionAttestation(attestation), signature);
        _checkTrusted(signer, attestation.issuedAt);
        _uidState[uid] = _ACTION_SPENT;
        emit ActionAttestationConsumed(uid, subject, msg.sender, selector, signer);
    }

    /// @inheritdoc IComplianceGatekeeper
    function isCompliant(address subject, bytes32 policyId) external view returns (bool) {
        return _records[_recordKey(subject, policyId)].validUntil > block.timestamp;
    }

    /// @notice When `subject`'s compliance with `policyId` ends; 0 when there is none or it was revoked.
    function complianceExpiry(address subject, bytes32 policyId) external view returns (uint64) {
        return _records[_recordKey(subject, policyId)].validUntil;
    }

    /// @notice Where `uid` stands on this gatekeeper.
    function uidStatus(bytes32 uid) external view returns (UidStatus) {
        bytes32 state = _uidState[uid];
        if (state == 0) return UidStatus.Unused;
        return state == _REVOKED ? UidStatus.Revoked : UidStatus.Used;
    }

    /// @notice The EIP-712 digest a signer signs for `attestation` on this chain and this gatekeeper.
    function hashAttestation(Attestation calldata attestation) public view returns (bytes32) {
        return _hashTypedDataV4(_attestationStructHash(attestation));
    }

    /// @notice The EIP-712 digest a signer signs for the action attestation on this chain and this gatekeeper.
    function hashActionAttestation(ActionAttestation calldata attestation) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACTION_ATTESTATION_TYPEHASH,
                    attestation.uid,
                    attestation.subject,
                    attestation.policyId,
                    attestation.target,
                    attestation.selector,
                    attestation.argsHash,
                    attestation.issuedAt,
                    attestation.expiresAt
                )
            )
        );
    }

    /// @notice The EIP-712 domain separator of this chain and this gatekeeper.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IComplianceGatekeeper
    function onAttestationRevoked(bytes32 uid) external {
        if (msg.sender != revocationRegistry) revert CallerNotRevocationRegistry(msg.sender);
        bytes32 key = _uidState[uid];
        _uidState[uid] = _REVOKED;
        bool cleared;
        // Markers (unused, revoked, a spent action) hold no record.
        if (uint256(key) > _LAST_MARKER) {
            ComplianceRecord storage record = _records[key];
            // A newer attestation for the same subject and policy owns the record now; it is not revoked.
            // forge-lint: disable-next-line(unsafe-typecast) compares the stored 128-bit prefix
            if (record.uidPrefix == bytes16(uid)) {
                // `issuedAt` stays: older attestations remain superseded.
                record.validUntil = 0;
                cleared = true;
            }
        }
        emit AttestationInvalidated(uid, cleared);
    }

    // ---------------------------------------------------------------- delegations

    /// @inheritdoc IAgentDelegations
    function submitDelegation(
        Delegation calldata delegation,
        bytes calldata principalSignature,
        bytes calldata custosSignature
    ) external whenNotPaused {
        address principal = delegation.principal;
        address agent = delegation.agent;
        if (principal == address(0) || agent == address(0) || principal == agent) {
            revert DelegationInvalidParties(principal, agent);
        }
        uint256 count = delegation.permissions.length;
        if (count == 0 || count > MAX_DELEGATION_PERMISSIONS) revert DelegationInvalidPermissions(count);
        _checkTimes(delegation.policyId, delegation.issuedAt, delegation.expiresAt);
        bytes32 uid = delegation.uid;
        _checkUnused(uid);

        bytes32 digest = hashDelegation(delegation);
        address recovered = _recoverSigner(digest, principalSignature);
        if (recovered != principal) revert InvalidPrincipalSignature(recovered, principal);
        address signer = _recoverSigner(digest, custosSignature);
        _checkTrusted(signer, delegation.issuedAt);

        _uidState[uid] = _DELEGATED;
        _delegations[uid] = DelegationState({
            principal: principal,
            expiresAt: delegation.expiresAt,
            agent: agent,
            policyId: delegation.policyId,
            spendCap: delegation.spendCap,
            spent: 0
        });
        for (uint256 i = 0; i < count; ++i) {
            Permission calldata permission = delegation.permissions[i];
            if (permission.target == address(0)) revert DelegationInvalidPermissions(count);
            _delegatedCalls[_permissionKey(uid, permission.target, permission.selector)] = true;
        }
        emit DelegationSubmitted(
            uid, principal, agent, delegation.policyId, delegation.spendCap, delegation.expiresAt, signer
        );
    }

    /// @inheritdoc IAgentDelegations
    function useDelegation(bytes32 uid, address agent, bytes32 policyId, bytes4 selector, uint256 amount)
        external
        returns (address principal)
    {
        DelegationState storage delegation = _delegations[uid];
        principal = delegation.principal;
        if (principal == address(0)) revert DelegationUnknown(uid);
        if (_uidState[uid] == _REVOKED) revert DelegationRevoked(uid);
        if (delegation.agent != agent) revert DelegationAgentMismatch(uid, delegation.agent, agent);
        uint64 expiresAt = delegation.expiresAt;
        if (expiresAt <= block.timestamp) revert DelegationExpired(uid, expiresAt);
        if (delegation.policyId != policyId) revert DelegationPolicyMismatch(uid, delegation.policyId, policyId);
        if (!_delegatedCalls[_permissionKey(uid, msg.sender, selector)]) {
            revert DelegationCallNotAllowed(uid, msg.sender, selector);
        }
        if (_records[_recordKey(principal, policyId)].validUntil <= block.timestamp) {
            revert DelegationPrincipalNotCompliant(uid, principal);
        }
        if (amount != 0) {
            uint128 spendCap = delegation.spendCap;
            uint256 spent = uint256(delegation.spent) + amount;
            if (spent > spendCap) revert DelegationSpendCapExceeded(uid, spendCap, spent);
            // forge-lint: disable-next-line(unsafe-typecast) spent <= spendCap < 2^128 here: it cannot truncate
            delegation.spent = uint128(spent);
        }
        emit DelegationUsed(uid, principal, agent, msg.sender, selector, amount);
    }

    /// @inheritdoc IAgentDelegations
    function delegationOf(bytes32 uid) external view returns (DelegationState memory) {
        return _delegations[uid];
    }

    /// @inheritdoc IAgentDelegations
    function isDelegatedCall(bytes32 uid, address target, bytes4 selector) external view returns (bool) {
        return _delegatedCalls[_permissionKey(uid, target, selector)];
    }

    /// @notice The EIP-712 digest both the principal and a Custos signer sign for `delegation`.
    function hashDelegation(Delegation calldata delegation) public view returns (bytes32) {
        uint256 count = delegation.permissions.length;
        bytes32[] memory permissionHashes = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            Permission calldata permission = delegation.permissions[i];
            permissionHashes[i] = keccak256(abi.encode(PERMISSION_TYPEHASH, permission.target, permission.selector));
        }
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    DELEGATION_TYPEHASH,
                    delegation.uid,
                    delegation.principal,
                    delegation.agent,
                    delegation.policyId,
                    keccak256(abi.encodePacked(permissionHashes)),
                    delegation.spendCap,
                    delegation.issuedAt,
                    delegation.expiresAt
                )
            )
        );
    }

    // ---------------------------------------------------------------- signers

    /// @notice Adds `signer` or changes its trust window. Rotation: add the new key, then shorten the old key's
    /// `validUntil` to the end of the overlap.
    function setSigner(address signer, uint64 validFrom, uint64 validUntil) external onlyRole(SIGNER_MANAGER_ROLE) {
        if (signer == address(0) || validUntil == 0 || validFrom > validUntil) {
            revert InvalidSignerWindow(signer, validFrom, validUntil);
        }
        _signers[signer] = SignerWindow({validFrom: validFrom, validUntil: validUntil});
        emit SignerUpdated(signer, validFrom, validUntil);
    }

    /// @notice Removes `signer` entirely: none of its attestations is accepted again, whatever their `issuedAt`.
    function removeSigner(address signer) external onlyRole(SIGNER_MANAGER_ROLE) {
        if (_signers[signer].validUntil == 0) revert SignerNotRegistered(signer);
        delete _signers[signer];
        emit SignerRemoved(signer);
    }

    /// @notice The trust window of `signer`; zeroes when it is not registered.
    function signerWindow(address signer) external view returns (SignerWindow memory) {
        return _signers[signer];
    }

    /// @notice Whether `signer` is trusted for attestations issued at `timestamp`.
    function isTrustedSigner(address signer, uint64 timestamp) external view returns (bool) {
        SignerWindow memory window = _signers[signer];
        return window.validUntil != 0 && timestamp >= window.validFrom && timestamp <= window.validUntil;
    }

    // ---------------------------------------------------------------- policies

    /// @notice Enables `policyId` (or changes it) with the longest attestation lifetime it accepts.
    function setPolicy(bytes32 policyId, uint64 maxLifetime) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (maxLifetime == 0) revert InvalidPolicyLifetime(policyId);
        _policyMaxLifetime[policyId] = maxLifetime;
        emit PolicyUpdated(policyId, maxLifetime);
    }

    /// @notice Disables `policyId`: no new attestation for it is accepted; existing records run out by expiry.
    function disablePolicy(bytes32 policyId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_policyMaxLifetime[policyId] == 0) revert UnknownPolicy(policyId);
        delete _policyMaxLifetime[policyId];
        emit PolicyDisabled(policyId);
    }

    /// @inheritdoc IComplianceGatekeeper
    function isPolicyEnabled(bytes32 policyId) external view returns (bool) {
        return _policyMaxLifetime[policyId] != 0;
    }

    /// @notice The longest attestation lifetime `policyId` accepts; 0 when disabled.
    function policyMaxLifetime(bytes32 policyId) external view returns (uint64) {
        return _policyMaxLifetime[policyId];
    }

    // ---------------------------------------------------------------- emergency

    /// @notice Stops attestation intake.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes attestation intake.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- zero-knowledge credentials

    /// @notice Accepts a new issuance root signed (EIP-712 `IssuanceRoot`) by a signer trusted at `issuedAt`.
    /// Anyone may relay it; roots must be newer than the last one, so an old signature cannot bring a root back.
    function submitIssuanceRoot(uint256 root, uint64 issuedAt, bytes calldata signature) external whenNotPaused {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(ISSUANCE_ROOT_TYPEHASH, root, issuedAt)));
        address signer = _recoverSigner(digest, signature);
        _checkTrusted(signer, issuedAt);
        _addIssuanceRoot(root, issuedAt, signer);
    }

    /// @notice Verifies a credential proof for `policyId` made for `recipient` and records `recipient` as compliant
    /// for {ZK_RECORD_LIFETIME} from the proof's timestamp. Anyone may relay it: the proof names its recipient.
    /// The nullifier's scope is this gatekeeper, the policy and the day: one recipient per credential and day.
    /// @dev The proof counts as issued at its timestamp, or at the block time when that is earlier (a holder's clock
    /// ahead of the chain must not refuse the issuer's next attestations). A proof older than the record reverts
    /// with {ProofSuperseded} (the nullifier stays unspent); one that would end sooner than the record leaves the
    /// record alone (it adds nothing, and the attestation there stays revocable).
    function submitProof(bytes32 policyId, address recipient, CredentialProof calldata proof) external whenNotPaused {
        if (recipient == address(0)) revert AttestationZeroSubject();
        _acceptProof(policyId, recipient, _proofScope(address(this), policyId, proof.timestamp), proof, _registry());
        bytes32 key = _recordKey(recipient, policyId);
        ComplianceRecord memory record = _records[key];
        // _acceptProof bounded the timestamp to the block time plus a few minutes: the casts cannot truncate.
        uint64 issuedAt = uint64(proof.timestamp < block.timestamp ? proof.timestamp : block.timestamp);
        if (issuedAt < record.issuedAt) revert ProofSuperseded(proof.nullifier, issuedAt, record.issuedAt);
        uint64 validUntil = uint64(proof.timestamp) + ZK_RECORD_LIFETIME;
        if (record.validUntil < validUntil) _writeRecord(key, validUntil, issuedAt, bytes32(proof.nullifier));
    }

    /// @notice For gated contracts: verifies a proof for `policyId` made for `recipient`, with the nullifier scoped
    /// to the calling contract, `context` (its action) and the day, and spends it. Records nothing.
    function consumeProof(bytes32 policyId, address recipient, bytes32 context, CredentialProof calldata proof)
        external
        whenNotPaused
    {
        _acceptProof(policyId, recipient, _proofScope(msg.sender, context, proof.timestamp), proof, _registry());
    }

    /// @notice Sets the Groth16 verifier, once.
    function setCredentialVerifier(ICredentialVerifier verifier) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(verifier) == address(0)) revert ZeroAddress();
        _setCredentialVerifier(verifier);
    }

    /// @notice Sets the Poseidon hash of `policyId`'s zero-knowledge parameters (0 turns proofs off for it).
    function setZkPolicy(bytes32 policyId, uint256 policyHash) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setZkPolicy(policyId, policyHash);
    }

    // ---------------------------------------------------------------- internals

    function _registry() private view returns (RevocationRegistry) {
        return RevocationRegistry(revocationRegistry);
    }

    /// @dev Everything {submitAttestation} and {submitBatchedAttestation} check once the signer is known, and the
    /// record they write.
    function _acceptAttestation(Attestation calldata attestation, address signer) private {
        address subject = attestation.subject;
        if (subject == address(0)) revert AttestationZeroSubject();
        _checkTimes(attestation.policyId, attestation.issuedAt, attestation.expiresAt);

        bytes32 uid = attestation.uid;
        _checkUnused(uid);
        _checkTrusted(signer, attestation.issuedAt);

        bytes32 key = _recordKey(subject, attestation.policyId);
        uint64 recordIssuedAt = _records[key].issuedAt;
        // Equal times are accepted: both are the newest, and each uid counts once anyway.
        if (attestation.issuedAt < recordIssuedAt) {
            revert AttestationSuperseded(uid, attestation.issuedAt, recordIssuedAt);
        }
        _uidState[uid] = key;
        _writeRecord(key, attestation.expiresAt, attestation.issuedAt, uid);
        emit AttestationSubmitted(uid, subject, attestation.policyId, signer, attestation.expiresAt);
    }

    /// @dev The EIP-712 struct hash of `attestation`: signed inside {hashAttestation}, hashed again as a batch leaf.
    function _attestationStructHash(Attestation calldata attestation) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                ATTESTATION_TYPEHASH,
                attestation.uid,
                attestation.subject,
                attestation.policyId,
                attestation.issuedAt,
                attestation.expiresAt
            )
        );
    }

    /// @dev The EIP-712 digest a signer signs for batch `root` on this chain and this gatekeeper.
    function _hashBatchRoot(bytes32 root) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ATTESTATION_BATCH_TYPEHASH, root)));
    }

    function _checkTimes(bytes32 policyId, uint64 issuedAt, uint64 expiresAt) private view {
        if (expiresAt <= block.timestamp) revert AttestationExpired(expiresAt);
        if (issuedAt > block.timestamp) revert AttestationNotYetValid(issuedAt);
        uint64 maxLifetime = _policyMaxLifetime[policyId];
        if (maxLifetime == 0) revert UnknownPolicy(policyId);
        // expiresAt > block.timestamp >= issuedAt here, so the subtraction cannot underflow.
        if (expiresAt - issuedAt > maxLifetime) revert AttestationLifetimeInvalid(issuedAt, expiresAt, maxLifetime);
    }

    function _checkUnused(bytes32 uid) private view {
        bytes32 state = _uidState[uid];
        if (state == _REVOKED) revert AttestationRevoked(uid);
        if (state != 0) revert AttestationAlreadyUsed(uid);
    }

    function _checkTrusted(address signer, uint64 issuedAt) private view {
        SignerWindow memory window = _signers[signer];
        if (window.validUntil == 0 || issuedAt < window.validFrom || issuedAt > window.validUntil) {
            revert UntrustedSigner(signer, issuedAt);
        }
    }

    function _recoverSigner(bytes32 digest, bytes calldata signature) private pure returns (address) {
        if (signature.length != 65) revert InvalidSignatureLength(signature.length);
        (address signer, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.InvalidSignatureS) revert MalleableSignature(errArg);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature();
        return signer;
    }

    /// @dev Writes the whole record in one SSTORE: assigning the struct costs a read-modify-write per field under
    /// via-IR (about 700 gas more per attestation). The layout is {ComplianceRecord}'s: `validUntil` in the low 64
    /// bits, `issuedAt` in the next 64, `uidPrefix` (the first 128 bits of `id`) in the high 128.
    function _writeRecord(bytes32 key, uint64 validUntil, uint64 issuedAt, bytes32 id) private {
        ComplianceRecord storage record = _records[key];
        assembly ("memory-safe") {
            let low := or(and(validUntil, 0xffffffffffffffff), shl(64, and(issuedAt, 0xffffffffffffffff)))
            sstore(record.slot, or(low, and(id, not(0xffffffffffffffffffffffffffffffff))))
        }
    }

    function _permissionKey(bytes32 uid, address target, bytes4 selector) private pure returns (bytes32) {
        return keccak256(abi.encode(uid, target, selector));
    }

    function _recordKey(address subject, bytes32 policyId) private pure returns (bytes32 key) {
        // Equivalent to keccak256(abi.encode(subject, policyId)) without the memory expansion.
        assembly ("memory-safe") {
            mstore(0x00, subject)
            mstore(0x20, policyId)
            key := keccak256(0x00, 0x40)
        }
    }
}
