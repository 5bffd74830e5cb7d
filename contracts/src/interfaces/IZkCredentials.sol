// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IZkCredentials
/// @notice The zero-knowledge entry points of the Custos gatekeeper: a Groth16 credential proof either records its
/// recipient as compliant ({submitProof}) or is spent by a gated contract for one action ({consumeProof}).
/// @dev Implemented by ComplianceGatekeeper (through ZkCredentials). Gated contracts import this interface rather
/// than the gatekeeper, so that they compile without it.
/// @custom:security-contact security@custos.dev
interface IZkCredentials {
    /// @notice A Groth16 proof with the public signals the caller supplies; the rest are derived on-chain.
    struct CredentialProof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
        uint256 nullifier;
        uint256 issuanceRoot;
        uint256 revocationRoot;
        uint256 timestamp;
        uint256 todayYmd;
    }

    /// @notice Verifies a credential proof for `policyId` made for `recipient` and records `recipient` as compliant
    /// with `policyId` for a day from the proof's timestamp. Anyone may relay it: the proof names its recipient.
    function submitProof(bytes32 policyId, address recipient, CredentialProof calldata proof) external;

    /// @notice For gated contracts: verifies a proof for `policyId` made for `recipient`, with the nullifier scoped
    /// to the calling contract, `context` (its action) and the day, and spends it. Records nothing.
    function consumeProof(bytes32 policyId, address recipient, bytes32 context, CredentialProof calldata proof) external;
}
