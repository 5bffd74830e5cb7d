// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosGated} from "@custos/contracts/CustosGated.sol";
import {IComplianceGatekeeper} from "@custos/contracts/interfaces/IComplianceGatekeeper.sol";
import {IZkCredentials} from "@custos/contracts/interfaces/IZkCredentials.sol";

/// @title GatedVault
/// @notice An ether vault that only accepts deposits from accounts compliant with the Custos policy `kyc-basic`,
/// in each of the three ways CustosGated offers. Withdrawals are not gated: a depositor whose compliance lapsed can
/// still take their ether out.
contract GatedVault is CustosGated {
    /// @notice The policy every depositor must satisfy: `keccak256(bytes(policyName))`.
    bytes32 public constant POLICY = keccak256("kyc-basic");
    /// @notice The action a zero-knowledge proof is spent on (part of its nullifier's scope).
    bytes32 public constant DEPOSIT = keccak256("GatedVault.deposit");

    mapping(address account => uint256 wei_) public balanceOf;

    /// @notice Thrown when a withdrawal exceeds the caller's balance.
    error GatedVaultInsufficientBalance(uint256 balance, uint256 amount);
    /// @notice Thrown when sending the ether out fails.
    error GatedVaultTransferFailed();

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    constructor(IComplianceGatekeeper gatekeeper) CustosGated(gatekeeper) {}

    /// @notice For an account whose attestation is already on the gatekeeper.
    function deposit() external payable onlyCompliant(POLICY) {
        _credit();
    }

    /// @notice For an account holding an attestation from `POST /v1/attest`: submitted to the gatekeeper on the way.
    function depositWithAttestation(IComplianceGatekeeper.Attestation calldata attestation, bytes calldata signature)
        external
        payable
        onlyCompliantWithAttestation(POLICY, attestation, signature)
    {
        _credit();
    }

    /// @notice For a holder of a Custos zero-knowledge credential: a proof made for the caller, spent once per day.
    function depositWithProof(IZkCredentials.CredentialProof calldata proof)
        external
        payable
        onlyWithProof(POLICY, DEPOSIT, proof)
    {
        _credit();
    }

    function withdraw(uint256 amount) external {
        uint256 balance = balanceOf[msg.sender];
        if (amount > balance) revert GatedVaultInsufficientBalance(balance, amount);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawn(msg.sender, amount);
        (bool sent,) = msg.sender.call{value: amount}("");
        if (!sent) revert GatedVaultTransferFailed();
    }

    function _credit() private {
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }
}
