// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

/// @notice Builds attestation batches by the rule the service's off-chain builder follows, from the spec rather than
/// from the contract: leaf = keccak256(bytes.concat(structHash)); leaves in issue order; each level pairs neighbours
/// (i, i+1) with the sorted-pair hash; an odd last node is carried up unchanged; a proof is the siblings from the
/// leaf up (carried levels contribute nothing).
library AttestationBatches {
    bytes32 internal constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(bytes32 uid,address subject,bytes32 policyId,uint64 issuedAt,uint64 expiresAt)");

    function leaf(IComplianceGatekeeper.Attestation memory a) internal pure returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(ATTESTATION_TYPEHASH, a.uid, a.subject, a.policyId, a.issuedAt, a.expiresAt));
        return keccak256(bytes.concat(structHash));
    }

    function leaves(IComplianceGatekeeper.Attestation[] memory batch) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](batch.length);
        for (uint256 i = 0; i < batch.length; ++i) {
            out[i] = leaf(batch[i]);
        }
    }

    /// @dev The sorted-pair hash of two nodes (OpenZeppelin's Hashes.commutativeKeccak256, written out).
    function node(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    function root(bytes32[] memory level) internal pure returns (bytes32) {
        require(level.length != 0, "AttestationBatches: empty batch");
        while (level.length > 1) {
            level = _up(level);
        }
        return level[0];
    }

    function proof(bytes32[] memory level, uint256 index) internal pure returns (bytes32[] memory siblings) {
        require(index < level.length, "AttestationBatches: no such leaf");
        bytes32[] memory path = new bytes32[](256);
        uint256 length;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            // The odd last node has no sibling at this level: it is carried up unchanged.
            if (sibling < level.length) path[length++] = level[sibling];
            level = _up(level);
            index /= 2;
        }
        siblings = new bytes32[](length);
        for (uint256 i = 0; i < length; ++i) {
            siblings[i] = path[i];
        }
    }

    function _up(bytes32[] memory level) private pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 i = 0; i < next.length; ++i) {
            next[i] = 2 * i + 1 < level.length ? node(level[2 * i], level[2 * i + 1]) : level[2 * i];
        }
    }
}
