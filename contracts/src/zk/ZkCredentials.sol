// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICredentialVerifier} from "../interfaces/ICredentialVerifier.sol";
import {IZkCredentials} from "../interfaces/IZkCredentials.sol";
import {RevocationRegistry} from "../RevocationRegistry.sol";

/// @title ZkCredentials
/// @notice The zero-knowledge half of the gatekeeper: recent issuance roots, policy hashes, nullifiers and the
/// checks around a Groth16 credential proof (circuits/credential.circom).
/// @dev What a proof must satisfy besides the pairing check:
/// - its issuance root is one of the last {ISSUANCE_ROOT_HISTORY} roots signed by a trusted Custos signer;
/// - its revocation root is the registry's current root, or the previous one for {REVOCATION_GRACE} after a new
///   root is published (proofs made just before a publication still land; a revoked credential stops working
///   once the grace has passed);
/// - its timestamp is within {PROOF_MAX_AGE} before, or {PROOF_MAX_SKEW} after, the block time, and its date is
///   that timestamp's UTC date;
/// - its nullifier, bound to a scope this contract computes from the caller, was never used: never the proof bytes,
///   which are malleable;
/// - every public signal is below the field modulus.
/// The proof's struct and the two entry points, which the gatekeeper implements, are declared in {IZkCredentials}.
abstract contract ZkCredentials is IZkCredentials {
    /// @notice BN254's scalar field: every public signal must be below it.
    uint256 internal constant SNARK_FIELD =
        21_888_242_871_839_275_222_246_405_745_257_275_088_548_364_400_416_034_343_698_204_186_575_808_495_617;
    /// @notice How many recent issuance roots proofs may use.
    uint256 internal constant ISSUANCE_ROOT_HISTORY = 64;
    /// @notice How long the previous revocation root still counts after a new one is published.
    uint256 internal constant REVOCATION_GRACE = 10 minutes;
    /// @notice Oldest proof timestamp accepted, behind the block time.
    uint256 internal constant PROOF_MAX_AGE = 1 hours;
    /// @notice Newest proof timestamp accepted, ahead of the block time (clock skew).
    uint256 internal constant PROOF_MAX_SKEW = 5 minutes;
    /// @notice Nullifier scopes change once a day.
    uint256 internal constant SCOPE_EPOCH = 1 days;

    /// @notice The Groth16 verifier; set once by the admin.
    ICredentialVerifier public credentialVerifier;
    /// @notice Poseidon hash of each policy's zero-knowledge parameters (0: no proofs for that policy).
    mapping(bytes32 policyId => uint256 policyHash) public zkPolicyHash;
    /// @notice Nullifiers already used.
    mapping(uint256 nullifier => bool used) public nullifierUsed;

    /// @dev root => its position in the history, plus one (0: never submitted).
    mapping(uint256 root => uint256 position) private _issuanceRootPosition;
    uint256 private _issuanceRootCount;
    uint64 private _lastIssuanceRootTime;

    /// @notice Emitted when a signed issuance root is accepted.
    event IssuanceRootSubmitted(uint256 indexed root, uint64 issuedAt, address signer);
    /// @notice Emitted when a policy's zero-knowledge parameters change.
    event ZkPolicySet(bytes32 indexed policyId, uint256 policyHash);
    /// @notice Emitted once, when the verifier is set.
    event CredentialVerifierSet(address verifier);
    /// @notice Emitted for every accepted proof.
    event ProofAccepted(bytes32 indexed policyId, address indexed recipient, uint256 indexed nullifier, uint256 scope);

    /// @notice Thrown when proofs are offered before a verifier is set.
    error CredentialVerifierNotSet();
    /// @notice Thrown when the verifier is set a second time.
    error CredentialVerifierAlreadySet();
    /// @notice Thrown when a proof names a policy without zero-knowledge parameters.
    error ZkPolicyNotSet(bytes32 policyId);
    /// @notice Thrown when a public signal is not a field element.
    error NotAFieldElement(uint256 value);
    /// @notice Thrown when the proof's issuance root is unknown or no longer among the recent ones.
    error UnknownIssuanceRoot(uint256 root);
    /// @notice Thrown when the proof's revocation root is neither current nor the previous one within the grace.
    error StaleRevocationRoot(uint256 root);
    /// @notice Thrown when the proof's timestamp is too far from the block time.
    error ProofTimestampOutOfWindow(uint256 timestamp);
    /// @notice Thrown when the proof's date is not its timestamp's UTC date.
    error WrongProofDate(uint256 todayYmd, uint256 expected);
    /// @notice Thrown when the nullifier was used before.
    error NullifierAlreadyUsed(uint256 nullifier);
    /// @notice Thrown when the pairing check fails.
    error InvalidProof();
    /// @notice Thrown when a signed issuance root is not newer than the last one.
    error IssuanceRootNotNewer(uint64 issuedAt, uint64 last);
    /// @notice Thrown when a signed issuance root is dated in the future.
    error IssuanceRootFromFuture(uint64 issuedAt);

    /// @notice Whether `root` may be used by proofs now.
    function isRecentIssuanceRoot(uint256 root) public view returns (bool) {
        uint256 position = _issuanceRootPosition[root];
        return position != 0 && _issuanceRootCount - position < ISSUANCE_ROOT_HISTORY;
    }

    /// @notice The scope the nullifier of a proof used by `consumer` with `context` must be bound to.
    function _proofScope(address consumer, bytes32 context, uint256 timestamp) internal view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, consumer, context, timestamp / SCOPE_EPOCH))) % SNARK_FIELD;
    }

    function _setCredentialVerifier(ICredentialVerifier verifier) internal {
        if (address(credentialVerifier) != address(0)) revert CredentialVerifierAlreadySet();
        credentialVerifier = verifier;
        emit CredentialVerifierSet(address(verifier));
    }

    function _setZkPolicy(bytes32 policyId, uint256 policyHash) internal {
        if (policyHash >= SNARK_FIELD) revert NotAFieldElement(policyHash);
        zkPolicyHash[policyId] = policyHash;
        emit ZkPolicySet(policyId, policyHash);
    }

    /// @dev The caller has checked the root's signature and signer.
    function _addIssuanceRoot(uint256 root, uint64 issuedAt, address signer) internal {
        if (root >= SNARK_FIELD) revert NotAFieldElement(root);
        if (issuedAt <= _lastIssuanceRootTime) revert IssuanceRootNotNewer(issuedAt, _lastIssuanceRootTime);
        if (issuedAt > block.timestamp + PROOF_MAX_SKEW) revert IssuanceRootFromFuture(issuedAt);
        _lastIssuanceRootTime = issuedAt;
        _issuanceRootPosition[root] = ++_issuanceRootCount;
        emit IssuanceRootSubmitted(root, issuedAt, signer);
    }

    /// @dev Runs every check, spends the nullifier and emits {ProofAccepted}; reverts with the first failure.
    function _acceptProof(
        bytes32 policyId,
        address recipient,
        uint256 scope,
        CredentialProof calldata proof,
        RevocationRegistry registry
    ) internal {
        ICredentialVerifier verifier = credentialVerifier;
        if (address(verifier) == address(0)) revert CredentialVerifierNotSet();
        uint256 policyHash = zkPolicyHash[policyId];
        if (policyHash == 0) revert ZkPolicyNotSet(policyId);
        _checkField(proof.nullifier);
        _checkField(proof.issuanceRoot);
        _checkField(proof.revocationRoot);
        if (!isRecentIssuanceRoot(proof.issuanceRoot)) revert UnknownIssuanceRoot(proof.issuanceRoot);
        _checkRevocationRoot(proof.revocationRoot, registry);
        uint256 timestamp = proof.timestamp;
        if (timestamp + PROOF_MAX_AGE < block.timestamp || timestamp > block.timestamp + PROOF_MAX_SKEW) {
            revert ProofTimestampOutOfWindow(timestamp);
        }
        uint256 expectedYmd = _ymdOf(timestamp);
        if (proof.todayYmd != expectedYmd) revert WrongProofDate(proof.todayYmd, expectedYmd);
        if (nullifierUsed[proof.nullifier]) revert NullifierAlreadyUsed(proof.nullifier);

        uint256[8] memory signals = [
            proof.nullifier,
            proof.issuanceRoot,
            proof.revocationRoot,
            policyHash,
            timestamp,
            proof.todayYmd,
            scope,
            uint256(uint160(recipient))
        ];
        if (!verifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
        nullifierUsed[proof.nullifier] = true;
        emit ProofAccepted(policyId, recipient, proof.nullifier, scope);
    }

    function _checkRevocationRoot(uint256 root, RevocationRegistry registry) private view {
        (bytes32 current, uint64 epoch, uint64 publishedAt) = registry.currentRoot();
        if (root == uint256(current)) return;
        if (
            epoch > 0 && block.timestamp < publishedAt + REVOCATION_GRACE
                && root == uint256(registry.rootAt(epoch - 1).root)
        ) {
            return;
        }
        revert StaleRevocationRoot(root);
    }

    function _checkField(uint256 value) private pure {
        if (value >= SNARK_FIELD) revert NotAFieldElement(value);
    }

    /// @notice The UTC date of a unix time as YYYYMMDD (Howard Hinnant's civil-from-days).
    function _ymdOf(uint256 timestamp) internal pure returns (uint256) {
        uint256 z = timestamp / 1 days + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        uint256 day = doy - (153 * mp + 2) / 5 + 1;
        uint256 month = mp < 10 ? mp + 3 : mp - 9;
        uint256 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        return year * 10_000 + month * 100 + day;
    }
}
