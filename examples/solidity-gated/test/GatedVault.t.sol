// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IComplianceGatekeeper} from "@custos/contracts/interfaces/IComplianceGatekeeper.sol";
import {ICustosGated} from "@custos/contracts/interfaces/ICustosGated.sol";
import {IZkCredentials} from "@custos/contracts/interfaces/IZkCredentials.sol";
import {GatedVault} from "../src/GatedVault.sol";

/// @dev The administration calls this test makes on the Custos deployment (a dApp's own code never needs them).
interface ICustosAdmin {
    function bindGatekeeper(address gatekeeper) external;
    function grantRole(bytes32 role, address account) external;
    function setPolicy(bytes32 policyId, uint64 maxLifetime) external;
    function setSigner(address signer, uint64 validFrom, uint64 validUntil) external;
    function hashAttestation(IComplianceGatekeeper.Attestation calldata attestation) external view returns (bytes32);
}

/// @notice GatedVault against the real Custos gatekeeper, deployed from @custos/contracts' committed bytecode.
contract GatedVaultTest is Test {
    string internal constant ARTIFACTS = "node_modules/@custos/contracts/artifacts/";
    bytes32 internal constant KYC_BASIC = keccak256("kyc-basic");

    IComplianceGatekeeper internal gatekeeper;
    GatedVault internal vault;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    uint256 internal custosKey;

    function setUp() public {
        vm.warp(1_800_000_000);
        address custosSigner;
        (custosSigner, custosKey) = makeAddrAndKey("custos-signer");
        address registry = deployCode(string.concat(ARTIFACTS, "RevocationRegistry.json"), abi.encode(address(this)));
        gatekeeper = IComplianceGatekeeper(
            deployCode(string.concat(ARTIFACTS, "ComplianceGatekeeper.json"), abi.encode(address(this), registry))
        );
        ICustosAdmin(registry).bindGatekeeper(address(gatekeeper));
        ICustosAdmin admin = ICustosAdmin(address(gatekeeper));
        admin.grantRole(keccak256("SIGNER_MANAGER_ROLE"), address(this));
        admin.setPolicy(KYC_BASIC, 30 days);
        admin.setSigner(custosSigner, uint64(block.timestamp), type(uint64).max);

        vault = new GatedVault(gatekeeper);
        vm.deal(alice, 10 ether);
        vm.deal(bob, 10 ether);
    }

    function test_deposit_withARecordedAttestation() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) = _attestation(alice, "alice");
        gatekeeper.submitAttestation(a, signature); // anyone may relay it, e.g. the dApp's backend
        vm.prank(alice);
        vault.deposit{value: 1 ether}();
        assertEq(vault.balanceOf(alice), 1 ether);
    }

    function test_deposit_withoutAttestation_reverts() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ICustosGated.CustosGatedNotCompliant.selector, bob, KYC_BASIC));
        vault.deposit{value: 1 ether}();
    }

    function test_depositWithAttestation_submitsItInTheSameCall() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) = _attestation(alice, "alice");
        vm.prank(alice);
        vault.depositWithAttestation{value: 2 ether}(a, signature);
        assertEq(vault.balanceOf(alice), 2 ether);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_depositWithAttestation_someoneElsesAttestation_reverts() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) = _attestation(alice, "alice");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ICustosGated.CustosGatedSubjectMismatch.selector, bob, alice));
        vault.depositWithAttestation{value: 1 ether}(a, signature);
    }

    function test_depositWithAttestation_expired_revertsWithTheGatekeepersError() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) = _attestation(alice, "alice");
        vm.warp(a.expiresAt);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationExpired.selector, a.expiresAt));
        vault.depositWithAttestation{value: 1 ether}(a, signature);
    }

    function test_depositWithProof_isRefusedByTheGatekeeperWhenItTakesNoProofs() public {
        IZkCredentials.CredentialProof memory proof;
        vm.prank(alice);
        vm.expectRevert(bytes4(keccak256("CredentialVerifierNotSet()")));
        vault.depositWithProof{value: 1 ether}(proof);
    }

    function test_withdraw_isOpenAfterComplianceLapses() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) = _attestation(alice, "alice");
        vm.prank(alice);
        vault.depositWithAttestation{value: 3 ether}(a, signature);
        vm.warp(a.expiresAt);
        vm.prank(alice);
        vault.withdraw(3 ether);
        assertEq(alice.balance, 10 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(GatedVault.GatedVaultInsufficientBalance.selector, 0, 1));
        vault.withdraw(1);
    }

    /// @dev What `POST /v1/attest` returns, signed here by the test's Custos signer.
    function _attestation(address subject, string memory uid)
        internal
        view
        returns (IComplianceGatekeeper.Attestation memory a, bytes memory signature)
    {
        a = IComplianceGatekeeper.Attestation({
            uid: keccak256(bytes(uid)),
            subject: subject,
            policyId: KYC_BASIC,
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 1 days)
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(custosKey, ICustosAdmin(address(gatekeeper)).hashAttestation(a));
        signature = abi.encodePacked(r, s, v);
    }
}
