// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IComplianceGatekeeper} from "./interfaces/IComplianceGatekeeper.sol";
import {ICustosGated} from "./interfaces/ICustosGated.sol";
import {IZkCredentials} from "./interfaces/IZkCredentials.sol";

/// @title CustosGated
/// @notice Base for a dApp contract whose functions only accounts compliant with a Custos policy may use. Three ways
/// to be let through, each a modifier on the caller and an internal check for any account:
/// - {onlyCompliant} / {_requireCompliant}: the account already holds a live attestation (or proof record) on the
///   gatekeeper; one external view call.
/// - {onlyCompliantWithAttestation} / {_submitAttestation}: an EIP-712 attestation from `POST /v1/attest` is
///   submitted to the gatekeeper in the same call, then the account is checked.
/// - {onlyWithProof} / {_consumeProof}: a zero-knowledge credential proof made for the caller is spent through the
///   gatekeeper; nothing about the caller is recorded.
/// @dev Policy ids are `keccak256(bytes(policyName))`, e.g. `keccak256("kyc-basic")`. The gatekeeper is fixed at
/// construction. Checks revert with the {ICustosGated} errors, or with the gatekeeper's own error when it refuses
/// an attestation or a proof. The modifiers check `msg.sender`; a contract called through a trusted forwarder
/// (ERC-2771) calls {_requireCompliant} and {_submitAttestation} with its own `_msgSender()` instead.
///
/// Example:
/// ```solidity
/// contract Vault is CustosGated {
///     bytes32 private constant KYC = keccak256("kyc-basic");
///     constructor(IComplianceGatekeeper gatekeeper) CustosGated(gatekeeper) {}
///     function deposit() external payable onlyCompliant(KYC) { ... }
/// }
/// ```
/// @custom:security-contact security@custos.dev
abstract contract CustosGated is ICustosGated {
    IComplianceGatekeeper private immutable _gatekeeper;

    /// @param gatekeeper_ The ComplianceGatekeeper of the Custos deployment (`contracts.ComplianceGatekeeper` in
    /// `.custos/dev-credentials.json`, `GET /v1/signers` `gatekeeper`).
    constructor(IComplianceGatekeeper gatekeeper_) {
        if (address(gatekeeper_) == address(0)) revert CustosGatedZeroGatekeeper();
        _gatekeeper = gatekeeper_;
    }

    /// @notice Lets the caller through when it holds a live attestation for `policyId`.
    modifier onlyCompliant(bytes32 policyId) {
        _requireCompliant(msg.sender, policyId);
        _;
    }

    /// @notice Submits `attestation` (which must name the caller and `policyId`) to the gatekeeper, then lets the
    /// caller through when it is compliant with `policyId`.
    modifier onlyCompliantWithAttestation(
        bytes32 policyId,
        IComplianceGatekeeper.Attestation calldata attestation,
        bytes calldata signature
    ) {
        _submitAttestation(msg.sender, policyId, attestation, signature);
        _;
    }

    /// @notice Spends a zero-knowledge proof made for the caller, for `policyId`, with its nullifier scoped to this
    /// contract, `context` and the day; then lets the caller through.
    modifier onlyWithProof(bytes32 policyId, bytes32 context, IZkCredentials.CredentialProof calldata proof) {
        _consumeProof(policyId, context, proof);
        _;
    }

    /// @inheritdoc ICustosGated
    function custosGatekeeper() public view virtual returns (IComplianceGatekeeper) {
        return _gatekeeper;
    }

    /// @notice Whether `account` holds a live (unexpired, unrevoked) attestation or proof record for `policyId`.
    function _isCompliant(address account, bytes32 policyId) internal view virtual returns (bool) {
        return _gatekeeper.isCompliant(account, policyId);
    }

    /// @notice Reverts with {CustosGatedNotCompliant} unless `account` is compliant with `policyId`.
    function _requireCompliant(address account, bytes32 policyId) internal view virtual {
        if (!_isCompliant(account, policyId)) revert CustosGatedNotCompliant(account, policyId);
    }

    /// @notice Submits `attestation` for `account` and `policyId` to the gatekeeper, then requires `account` to be
    /// compliant with `policyId`.
    /// @dev Anyone can copy a pending transaction's attestation and submit it to the gatekeeper first; the gatekeeper
    /// then refuses it here as already used. So a refusal is final only when `account` is not compliant afterwards:
    /// when it is (the attestation was relayed by someone else, or an older live one still counts), the caller is let
    /// through, since compliance with the policy is what the gate asks for. Otherwise the gatekeeper's error (e.g.
    /// `AttestationExpired`, `UntrustedSigner`) is re-thrown as it came.
    function _submitAttestation(
        address account,
        bytes32 policyId,
        IComplianceGatekeeper.Attestation calldata attestation,
        bytes calldata signature
    ) internal virtual {
        if (attestation.subject != account) {
            revert CustosGatedSubjectMismatch(account, attestation.subject);
        }
        if (attestation.policyId != policyId) revert CustosGatedPolicyMismatch(policyId, attestation.policyId);
        try _gatekeeper.submitAttestation(attestation, signature) {}
        catch (bytes memory reason) {
            if (!_isCompliant(account, policyId)) _bubble(reason);
            return;
        }
        _requireCompliant(account, policyId);
    }

    /// @notice Spends `proof`, made for the caller, for `policyId` through the gatekeeper's
    /// {IZkCredentials-consumeProof}: the proof's nullifier is scoped to this contract, `context` (the action, chosen
    /// by this contract) and the UTC day, so a credential lets its holder through once per context and day. Reverts
    /// with the gatekeeper's error (e.g. `InvalidProof` for a proof made for another address, `NullifierAlreadyUsed`).
    /// IMPORTANT: `context` must be fixed per action (a constant, or an id this contract controls), never taken from
    /// the caller: each distinct context lets the same credential through once more.
    function _consumeProof(bytes32 policyId, bytes32 context, IZkCredentials.CredentialProof calldata proof)
        internal
        virtual
    {
        IZkCredentials(address(_gatekeeper)).consumeProof(policyId, msg.sender, context, proof);
    }

    /// @dev Re-throws the revert data of a failed call unchanged.
    function _bubble(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }
}
