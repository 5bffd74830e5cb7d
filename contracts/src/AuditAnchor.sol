// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AuditAnchor
/// @notice Anchors the Custos audit log on-chain: each batch is a contiguous range of audit sequence numbers and the
/// RFC 6962 Merkle root of their event hashes. Anyone holding an exported event and its inclusion proof can check it
/// against a root nobody can rewrite.
/// @dev Batches must follow each other without gap or overlap (`firstSeq == nextSeq`), so a batch can never be
/// anchored twice, and a rolled-back database is caught by the first sequence number it no longer has.
/// @custom:security-contact security@custos.dev
contract AuditAnchor is AccessControl {
    /// @notice May anchor batches (the Custos operator).
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice An anchored batch of audit events.
    struct Batch {
        uint64 firstSeq;
        uint64 lastSeq;
        uint64 anchoredAt;
        bytes32 root;
    }

    /// @notice Thrown when a batch does not start right after the previous one.
    error NonContiguousBatch(uint64 expectedFirstSeq, uint64 firstSeq);
    /// @notice Thrown when a batch ends before it starts.
    error EmptyBatch(uint64 firstSeq, uint64 lastSeq);
    /// @notice Thrown when the root is zero.
    error ZeroRoot();
    /// @notice Thrown for a batch index that does not exist.
    error UnknownBatch(uint256 index);
    /// @notice Thrown when the admin is the zero address.
    error ZeroAddress();

    /// @notice Emitted for every anchored batch.
    event BatchAnchored(uint256 indexed index, uint64 firstSeq, uint64 lastSeq, bytes32 root);

    Batch[] private _batches;
    /// @notice The first sequence number the next batch must start with (audit sequence numbers start at 1).
    uint64 public nextSeq = 1;

    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants the anchorer role).
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Anchors events `firstSeq..lastSeq` under `root`; returns the batch index.
    function anchor(uint64 firstSeq, uint64 lastSeq, bytes32 root)
        external
        onlyRole(ANCHORER_ROLE)
        returns (uint256 index)
    {
        if (firstSeq != nextSeq) revert NonContiguousBatch(nextSeq, firstSeq);
        if (lastSeq < firstSeq) revert EmptyBatch(firstSeq, lastSeq);
        if (root == bytes32(0)) revert ZeroRoot();
        index = _batches.length;
        _batches.push(Batch({firstSeq: firstSeq, lastSeq: lastSeq, anchoredAt: uint64(block.timestamp), root: root}));
        nextSeq = lastSeq + 1;
        emit BatchAnchored(index, firstSeq, lastSeq, root);
    }

    /// @notice How many batches are anchored.
    function batchCount() external view returns (uint256) {
        return _batches.length;
    }

    /// @notice The batch at `index`.
    function batch(uint256 index) external view returns (Batch memory) {
        if (index >= _batches.length) revert UnknownBatch(index);
        return _batches[index];
    }
}
