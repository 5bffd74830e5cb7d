// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IComplianceGatekeeper} from "./interfaces/IComplianceGatekeeper.sol";

/// @title RevocationRegistry
/// @notice The revocation side of Custos: revoked EIP-712 attestation uids, and the root of the sparse Merkle tree
/// of revoked zero-knowledge credential ids, with an epoch and a bounded history of recent roots.
/// @dev Writers are the publisher role (the Custos oracle) or the admin (a multisig). A uid revocation is pushed to
/// the bound gatekeeper in the same transaction, so the attestation stops counting from the next block on. The
/// gatekeeper is bound once: a registry that could be re-pointed would leave its earlier revocations behind.
/// @custom:security-contact security@custos.dev
contract RevocationRegistry is AccessControl {
    /// @notice May revoke uids and publish revocation roots.
    bytes32 public constant PUBLISHER_ROLE = keccak256("PUBLISHER_ROLE");

    /// @notice How many recent roots are kept (the current one included).
    uint256 public constant ROOT_HISTORY_SIZE = 32;

    /// @notice A published revocation root.
    struct RootEntry {
        bytes32 root;
        uint64 publishedAt;
    }

    /// @notice Thrown when `uid` is revoked a second time.
    error AlreadyRevoked(bytes32 uid);
    /// @notice Thrown when a revocation is attempted before a gatekeeper is bound.
    error GatekeeperNotBound();
    /// @notice Thrown when binding a gatekeeper a second time.
    error GatekeeperAlreadyBound(address gatekeeper);
    /// @notice Thrown when binding a gatekeeper that does not report to this registry.
    error GatekeeperMismatch(address gatekeeper);
    /// @notice Thrown when the caller is neither a publisher nor the admin.
    error UnauthorizedPublisher(address caller);
    /// @notice Thrown when a root is published against an epoch that is no longer current (another publisher won).
    error StaleEpoch(uint64 expectedEpoch, uint64 currentEpoch);
    /// @notice Thrown when the published root equals the current one.
    error RootUnchanged(bytes32 root);
    /// @notice Thrown when asking for an epoch that is in the future or has left the history.
    error EpochOutOfHistory(uint64 epoch);
    /// @notice Thrown when the admin is the zero address.
    error ZeroAddress();

    /// @notice Emitted once the gatekeeper is bound.
    event GatekeeperBound(address indexed gatekeeper);
    /// @notice Emitted for every revoked uid.
    event AttestationRevoked(bytes32 indexed uid, address indexed revoker, bytes32 reasonHash);
    /// @notice Emitted for every new revocation root.
    event RevocationRootPublished(uint64 indexed epoch, bytes32 root, bytes32 previousRoot, address indexed publisher);

    /// @notice The gatekeeper that is told about every uid revocation.
    IComplianceGatekeeper public gatekeeper;

    mapping(bytes32 uid => bool) private _revoked;
    RootEntry[ROOT_HISTORY_SIZE] private _roots;
    uint64 private _epoch;

    /// @param admin Holds DEFAULT_ADMIN_ROLE; may write as well as grant the publisher role.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // Epoch 0 is the empty tree, whose root is zero.
        _roots[0] = RootEntry({root: bytes32(0), publishedAt: uint64(block.timestamp)});
    }

    modifier onlyPublisherOrAdmin() {
        if (!hasRole(PUBLISHER_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert UnauthorizedPublisher(msg.sender);
        }
        _;
    }

    /// @notice Binds the gatekeeper that honours this registry's revocations. Once only.
    function bindGatekeeper(IComplianceGatekeeper gatekeeper_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(gatekeeper) != address(0)) revert GatekeeperAlreadyBound(address(gatekeeper));
        if (_readRegistry(address(gatekeeper_)) != address(this)) revert GatekeeperMismatch(address(gatekeeper_));
        gatekeeper = gatekeeper_;
        emit GatekeeperBound(address(gatekeeper_));
    }

    // ---------------------------------------------------------------- uid revocation

    /// @notice Revokes the EIP-712 attestation `uid`, whether or not it has been submitted yet.
    /// @param reasonHash keccak256 of the officer's reason, so the on-chain record points at the audit log without
    /// publishing personal data.
    function revoke(bytes32 uid, bytes32 reasonHash) public onlyPublisherOrAdmin {
        IComplianceGatekeeper target = gatekeeper;
        if (address(target) == address(0)) revert GatekeeperNotBound();
        if (_revoked[uid]) revert AlreadyRevoked(uid);
        _revoked[uid] = true;
        emit AttestationRevoked(uid, msg.sender, reasonHash);
        target.onAttestationRevoked(uid);
    }

    /// @notice Revokes several uids with one reason; reverts whole if any is already revoked.
    function revokeBatch(bytes32[] calldata uids, bytes32 reasonHash) external {
        for (uint256 i = 0; i < uids.length; ++i) {
            revoke(uids[i], reasonHash);
        }
    }

    /// @notice Whether `uid` has been revoked.
    function isRevoked(bytes32 uid) external view returns (bool) {
        return _revoked[uid];
    }

    // ---------------------------------------------------------------- revocation root

    /// @notice Publishes a new revocation root. `expectedEpoch` must be the current epoch, so two publishers racing
    /// cannot overwrite each other: the loser reverts with {StaleEpoch} and republishes on top.
    function publishRoot(bytes32 root, uint64 expectedEpoch) external onlyPublisherOrAdmin {
        uint64 epoch = _epoch;
        if (expectedEpoch != epoch) revert StaleEpoch(expectedEpoch, epoch);
        bytes32 previousRoot = _roots[epoch % ROOT_HISTORY_SIZE].root;
        if (root == previousRoot) revert RootUnchanged(root);
        uint64 next = epoch + 1;
        _epoch = next;
        _roots[next % ROOT_HISTORY_SIZE] = RootEntry({root: root, publishedAt: uint64(block.timestamp)});
        emit RevocationRootPublished(next, root, previousRoot, msg.sender);
    }

    /// @notice The current revocation root, its epoch and when it was published.
    function currentRoot() external view returns (bytes32 root, uint64 epoch, uint64 publishedAt) {
        epoch = _epoch;
        RootEntry memory entry = _roots[epoch % ROOT_HISTORY_SIZE];
        return (entry.root, epoch, entry.publishedAt);
    }

    /// @notice The root published at `epoch`, while it is among the last {ROOT_HISTORY_SIZE}.
    function rootAt(uint64 epoch) external view returns (RootEntry memory) {
        uint64 current = _epoch;
        if (epoch > current || current - epoch >= ROOT_HISTORY_SIZE) revert EpochOutOfHistory(epoch);
        return _roots[epoch % ROOT_HISTORY_SIZE];
    }

    function _readRegistry(address candidate) private view returns (address registry) {
        // A contract without `revocationRegistry()` (or an EOA) fails this call; both are a mismatch.
        (bool ok, bytes memory data) = candidate.staticcall(abi.encodeWithSignature("revocationRegistry()"));
        if (ok && data.length == 32) registry = abi.decode(data, (address));
    }
}
