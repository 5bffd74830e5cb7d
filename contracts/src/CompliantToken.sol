// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAgentDelegations} from "./interfaces/IAgentDelegations.sol";
import {IComplianceGatekeeper} from "./interfaces/IComplianceGatekeeper.sol";
import {ComplianceGatekeeper} from "./ComplianceGatekeeper.sol";
import {ZkCredentials} from "./zk/ZkCredentials.sol";

/// @title CompliantToken
/// @notice An ERC-20 that only compliant holders can receive or send: a mint needs a compliant recipient, a transfer
/// needs a compliant sender and recipient, compliance being a live Custos attestation for the token's policy.
/// An agent delegated by a compliant holder ({IAgentDelegations}) moves the holder's tokens with {transferAsDelegate},
/// within the delegation's spend cap.
/// @dev Burns need a compliant holder too, so a revoked holder's balance is frozen until compliance returns.
/// @custom:security-contact security@custos.dev
contract CompliantToken is ERC20, AccessControl {
    /// @notice May mint.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice The gatekeeper asked about every holder.
    IComplianceGatekeeper public immutable gatekeeper;
    /// @notice The policy every holder must be compliant with, `keccak256(bytes(policyName))`.
    bytes32 public immutable policyId;

    /// @notice Thrown when the sender of a transfer (or burn) is not compliant.
    error SenderNotCompliant(address sender);
    /// @notice Thrown when the recipient of a mint or transfer is not compliant.
    error RecipientNotCompliant(address recipient);
    /// @notice Thrown when an attestation for another policy is offered to {mintWithAttestation}.
    error PolicyMismatch(bytes32 expected, bytes32 actual);
    /// @notice Thrown when a constructor argument is the zero address.
    error ZeroAddress();

    /// @param admin Holds DEFAULT_ADMIN_ROLE and MINTER_ROLE at deployment.
    /// @param gatekeeper_ The ComplianceGatekeeper consulted on every mint and transfer.
    /// @param policyId_ The token's policy; fixed for the token's life.
    constructor(
        string memory name_,
        string memory symbol_,
        address admin,
        IComplianceGatekeeper gatekeeper_,
        bytes32 policyId_
    ) ERC20(name_, symbol_) {
        if (admin == address(0) || address(gatekeeper_) == address(0)) {
            revert ZeroAddress();
        }
        gatekeeper = gatekeeper_;
        policyId = policyId_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Mints `amount` to `to`, who must be compliant already.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Submits `attestation` to the gatekeeper and mints `amount` to its subject, in one transaction.
    function mintWithAttestation(
        IComplianceGatekeeper.Attestation calldata attestation,
        bytes calldata signature,
        uint256 amount
    ) external onlyRole(MINTER_ROLE) {
        if (attestation.policyId != policyId) {
            revert PolicyMismatch(policyId, attestation.policyId);
        }
        gatekeeper.submitAttestation(attestation, signature);
        _mint(attestation.subject, amount);
    }

    /// @notice Verifies a zero-knowledge credential proof made for `to` through the gatekeeper (which records `to`
    /// as compliant with the token's policy) and mints `amount` to `to`, in one transaction.
    function mintWithProof(address to, uint256 amount, ZkCredentials.CredentialProof calldata proof)
        external
        onlyRole(MINTER_ROLE)
    {
        ComplianceGatekeeper(address(gatekeeper)).submitProof(policyId, to, proof);
        _mint(to, amount);
    }

    /// @notice For an agent acting under delegation `delegationId`: transfers `amount` of its principal's tokens to
    /// `to`. The delegation must allow this function on this token, and `amount` counts against its spend cap; the
    /// principal and `to` must be compliant as for any transfer. The gatekeeper's {IAgentDelegations.DelegationUsed}
    /// names the principal and the agent; {Transfer} runs from the principal.
    function transferAsDelegate(bytes32 delegationId, address to, uint256 amount) external returns (bool) {
        address principal = IAgentDelegations(address(gatekeeper))
            .useDelegation(delegationId, msg.sender, policyId, this.transferAsDelegate.selector, amount);
        _transfer(principal, to, amount);
        return true;
    }

    /// @dev Every balance change passes here; zero addresses stand for mint and burn.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && !gatekeeper.isCompliant(from, policyId)) revert SenderNotCompliant(from);
        if (to != address(0) && !gatekeeper.isCompliant(to, policyId)) revert RecipientNotCompliant(to);
        super._update(from, to, value);
    }
}
