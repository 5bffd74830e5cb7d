// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";

/// @notice Reads a gatekeeper's compliance record straight from storage: the contract has no getter for
/// `issuedAt` or the uid prefix on purpose (every external function adds dispatch gas to {isCompliant}).
library ComplianceRecords {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    /// @dev The slot of `_records` (`forge inspect ComplianceGatekeeper storageLayout`).
    uint256 private constant RECORDS_SLOT = 13;

    /// @dev Reverts when the word read disagrees with {ComplianceGatekeeper.complianceExpiry}: the layout moved.
    function read(ComplianceGatekeeper gatekeeper, address subject, bytes32 policyId)
        internal
        view
        returns (ComplianceGatekeeper.ComplianceRecord memory record)
    {
        bytes32 key = keccak256(abi.encode(subject, policyId));
        uint256 word = uint256(VM.load(address(gatekeeper), keccak256(abi.encode(key, RECORDS_SLOT))));
        record = ComplianceGatekeeper.ComplianceRecord({
            validUntil: uint64(word), issuedAt: uint64(word >> 64), uidPrefix: bytes16(bytes32(word))
        });
        require(record.validUntil == gatekeeper.complianceExpiry(subject, policyId), "ComplianceRecords: layout moved");
    }
}
