// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {CompliantToken} from "../../src/CompliantToken.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

contract CompliantTokenTest is CustosTestBase {
    CompliantToken internal token;
    address internal minter = makeAddr("minter");

    function setUp() public override {
        super.setUp();
        token = new CompliantToken("Custos Dollar", "CUSD", admin, gatekeeper, KYC_BASIC);
        bytes32 minterRole = token.MINTER_ROLE();
        vm.prank(admin);
        token.grantRole(minterRole, minter);
    }

    function test_mint_toCompliantRecipient() public {
        _attest(alice, KYC_BASIC);
        vm.prank(minter);
        token.mint(alice, 100);
        assertEq(token.balanceOf(alice), 100);
    }

    function test_mint_revertsForNonCompliantRecipient() public {
        vm.expectRevert(abi.encodeWithSelector(CompliantToken.RecipientNotCompliant.selector, alice));
        vm.prank(minter);
        token.mint(alice, 100);
    }

    function test_mint_revertsForNonMinter() public {
        _attest(alice, KYC_BASIC);
        bytes32 role = token.MINTER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        vm.prank(bob);
        token.mint(alice, 100);
    }

    function test_mintWithAttestation_submitsAndMintsInOneCall() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("m"));
        bytes memory sig = _sign(a);
        vm.prank(minter);
        token.mintWithAttestation(a, sig, 250);
        assertEq(token.balanceOf(alice), 250);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_mintWithAttestation_revertsForAnotherPolicy() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, ACCREDITED, keccak256("m"));
        bytes memory sig = _sign(a);
        vm.expectRevert(abi.encodeWithSelector(CompliantToken.PolicyMismatch.selector, KYC_BASIC, ACCREDITED));
        vm.prank(minter);
        token.mintWithAttestation(a, sig, 250);
    }

    function test_mintWithAttestation_bubblesGatekeeperErrors() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("m"));
        bytes memory sig = _sign(a);
        vm.prank(minter);
        token.mintWithAttestation(a, sig, 1);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationAlreadyUsed.selector, a.uid));
        vm.prank(minter);
        token.mintWithAttestation(a, sig, 1);
    }

    function test_mintWithAttestation_revertsForNonMinter() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("m"));
        bytes memory sig = _sign(a);
        bytes32 role = token.MINTER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        vm.prank(bob);
        token.mintWithAttestation(a, sig, 1);
    }

    function test_transfer_betweenCompliantHolders() public {
        _fund(alice, 100);
        _attest(bob, KYC_BASIC);
        vm.prank(alice);
        assertTrue(token.transfer(bob, 40));
        assertEq(token.balanceOf(bob), 40);
    }

    function test_transfer_revertsToNonCompliantRecipient() public {
        _fund(alice, 100);
        vm.expectRevert(abi.encodeWithSelector(CompliantToken.RecipientNotCompliant.selector, bob));
        vm.prank(alice);
        token.transfer(bob, 40);
    }

    function test_transfer_revertsFromRevokedSender() public {
        bytes32 uid = _fund(alice, 100);
        _attest(bob, KYC_BASIC);
        vm.prank(publisher);
        registry.revoke(uid, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(CompliantToken.SenderNotCompliant.selector, alice));
        vm.prank(alice);
        token.transfer(bob, 40);
    }

    function test_transferFrom_revertsAfterRecipientExpires() public {
        _fund(alice, 100);
        _attest(bob, KYC_BASIC);
        vm.prank(alice);
        token.approve(minter, 50);
        vm.warp(gatekeeper.complianceExpiry(bob, KYC_BASIC));
        _attest(alice, KYC_BASIC); // alice renews, bob does not
        vm.expectRevert(abi.encodeWithSelector(CompliantToken.RecipientNotCompliant.selector, bob));
        vm.prank(minter);
        token.transferFrom(alice, bob, 50);
    }

    function test_compliantWithAnotherPolicy_isNotEnough() public {
        _fund(alice, 100);
        _attest(bob, ACCREDITED);
        vm.expectRevert(abi.encodeWithSelector(CompliantToken.RecipientNotCompliant.selector, bob));
        vm.prank(alice);
        token.transfer(bob, 1);
    }

    function test_constructor_revertsOnZeroAddresses() public {
        vm.expectRevert(CompliantToken.ZeroAddress.selector);
        new CompliantToken("T", "T", address(0), gatekeeper, KYC_BASIC);
        vm.expectRevert(CompliantToken.ZeroAddress.selector);
        new CompliantToken("T", "T", admin, IComplianceGatekeeper(address(0)), KYC_BASIC);
    }

    function _fund(address holder, uint256 amount) internal returns (bytes32 uid) {
        uid = _attest(holder, KYC_BASIC);
        vm.prank(minter);
        token.mint(holder, amount);
    }
}
