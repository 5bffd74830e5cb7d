// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IComplianceGatekeeper} from "./IComplianceGatekeeper.sol";

/// @title ICustosGated
/// @notice What every contract built on {CustosGated} exposes: its gatekeeper, and the errors its compliance checks
/// revert with (the gatekeeper's own errors, such as `AttestationExpired` or `InvalidProof`, pass through unchanged).
/// @custom:security-contact security@custos.dev
interface ICustosGated {
    /// @notice Thrown when `account` holds no live attestation (or proof record) for `policyId` on the gatekeeper.
    error CustosGatedNotCompliant(address account, bytes32 policyId);
    /// @notice Thrown when an attestation offered for `account` names another subject.
    error CustosGatedSubjectMismatch(address account, address subject);
    /// @notice Thrown when an attestation offered for `policyId` is for another policy.
    error CustosGatedPolicyMismatch(bytes32 policyId, bytes32 attestationPolicyId);
    /// @notice Thrown when the gatekeeper given to the constructor is the zero address.
    error CustosGatedZeroGatekeeper();

    /// @notice The Custos ComplianceGatekeeper every check asks.
    function custosGatekeeper() external view returns (IComplianceGatekeeper);
}
