// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {CustosGated} from "../../src/CustosGated.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {ICustosGated} from "../../src/interfaces/ICustosGated.sol";
import {IZkCredentials} from "../../src/interfaces/IZkCredentials.sol";
import {ZkCredentials} from "../../src/zk/ZkCredentials.sol";
import {ZkTestBase} from "../utils/ZkTestBase.sol";

/// @notice A dApp contract with one entry point per way through the gate; each counts the calls that got in.
contract GatedHarness is CustosGated {
    /// @dev The fixture's proof for dave was made for the consumer at `agentRegistry` with context 1.
    bytes32 internal constant PROOF_CONTEXT = bytes32(uint256(1));

    bytes32 internal immutable _policyId;
    mapping(address account => uint256 uses) public uses;

    constructor(IComplianceGatekeeper gatekeeper_, bytes32 policyId_) CustosGated(gatekeeper_) {
        _policyId = policyId_;
    }

    /// @dev The same body without a gate: the baseline the gates' gas is measured against.
    function useUngated() external {
        uses[msg.sender]++;
    }

    function useRecorded() external onlyCompliant(_policyId) {
        uses[msg.sender]++;
    }

    function useWithAttestation(IComplianceGatekeeper.Attestation calldata attestation, bytes calldata signature)
        external
        onlyCompliantWithAttestation(_policyId, attestation, signature)
    {
        uses[msg.sender]++;
    }

    function useWithProof(IZkCredentials.CredentialProof calldata proof)
        external
        onlyWithProof(_policyId, PROOF_CONTEXT, proof)
    {
        uses[msg.sender]++;
    }

    /// @dev A second action: a proof made for the first one must not open it.
    function useWithProofForAnotherAction(IZkCredentials.CredentialProof calldata proof)
        external
        onlyWithProof(_policyId, bytes32(uint256(2)), proof)
    {
        uses[msg.sender]++;
    }

    /// @dev The internal checks on an account other than the caller (e.g. a mint's recipient).
    function creditWithAttestation(
        address account,
        IComplianceGatekeeper.Attestation calldata attestation,
        bytes calldata signature
    ) external {
        _submitAttestation(account, _policyId, attestation, signature);
        uses[account]++;
    }

    function requireCompliant(address account) external view {
        _requireCompliant(account, _policyId);
    }
}

/// @notice CustosGated against the real gatekeeper and Groth16 verifier: every way through, every refusal.
contract CustosGatedTest is ZkTestBase {
    GatedHarness internal gated;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public override {
        super.setUp();
        address where = vm.parseJsonAddress(fixture, ".agentRegistry");
        deployCodeTo("CustosGated.t.sol:GatedHarness", abi.encode(address(gatekeeper), policyId), where);
        gated = GatedHarness(where);
    }

    // ---------------------------------------------------------------- construction

    function test_constructor_zeroGatekeeper_reverts() public {
        vm.expectRevert(ICustosGated.CustosGatedZeroGatekeeper.selector);
        new GatedHarness(IComplianceGatekeeper(address(0)), policyId);
    }

    function test_custosGatekeeper_isTheOneGiven() public view {
        assertEq(address(gated.custosGatekeeper()), address(gatekeeper));
    }

    function test_ungated_baseline() public {
        vm.prank(alice);
        gated.useUngated();
        vm.snapshotGasLastCall("ungated baseline");
        assertEq(gated.uses(alice), 1);
    }

    // ---------------------------------------------------------------- a recorded attestation

    function test_onlyCompliant_letsACompliantCallerThrough() public {
        _submitAttestation(alice, "alice-1", timestamp, 1 days);
        vm.prank(alice);
        gated.useRecorded();
        vm.snapshotGasLastCall("onlyCompliant");
        assertEq(gated.uses(alice), 1);
    }

    function test_onlyCompliant_withoutAttestation_reverts() public {
        vm.prank(alice);
        vm.expectRevert(_notCompliant(alice));
        gated.useRecorded();
    }

    function test_onlyCompliant_anotherAccountsAttestation_reverts() public {
        _submitAttestation(alice, "alice-1", timestamp, 1 days);
        vm.prank(bob);
        vm.expectRevert(_notCompliant(bob));
        gated.useRecorded();
    }

    function test_onlyCompliant_afterRevocation_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _submitAttestation(alice, "alice-1", timestamp, 1 days);
        _revoke(a.uid);
        vm.prank(alice);
        vm.expectRevert(_notCompliant(alice));
        gated.useRecorded();
    }

    function test_onlyCompliant_afterExpiry_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _submitAttestation(alice, "alice-1", timestamp, 1 days);
        vm.warp(a.expiresAt);
        vm.prank(alice);
        vm.expectRevert(_notCompliant(alice));
        gated.useRecorded();
    }

    function test_requireCompliant_checksTheAccountGiven() public {
        _submitAttestation(alice, "alice-1", timestamp, 1 days);
        gated.requireCompliant(alice);
        vm.expectRevert(_notCompliant(bob));
        gated.requireCompliant(bob);
    }

    // ---------------------------------------------------------------- an attestation in the same call

    function test_onlyCompliantWithAttestation_submitsAndLetsTheSubjectThrough() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        vm.prank(alice);
        gated.useWithAttestation(a, signature);
        vm.snapshotGasLastCall("onlyCompliantWithAttestation");
        assertEq(gated.uses(alice), 1);
        assertTrue(gatekeeper.isCompliant(alice, policyId), "the attestation is recorded on the gatekeeper");
    }

    function test_onlyCompliantWithAttestation_anotherSubjectsAttestation_reverts() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ICustosGated.CustosGatedSubjectMismatch.selector, bob, alice));
        gated.useWithAttestation(a, signature);
        assertFalse(gatekeeper.isCompliant(alice, policyId), "nothing was submitted");
    }

    function test_onlyCompliantWithAttestation_anotherPolicysAttestation_reverts() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        a.policyId = ACCREDITED;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICustosGated.CustosGatedPolicyMismatch.selector, policyId, ACCREDITED));
        gated.useWithAttestation(a, signature);
    }

    function test_onlyCompliantWithAttestation_refusedByTheGatekeeper_rethrowsItsError() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        vm.warp(a.expiresAt);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationExpired.selector, a.expiresAt));
        gated.useWithAttestation(a, signature);

        vm.warp(timestamp + 60);
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(strangerKey, gatekeeper.hashAttestation(a));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, stranger, a.issuedAt));
        gated.useWithAttestation(a, abi.encodePacked(r, s, v));
        assertEq(gated.uses(alice), 0);
    }

    function test_onlyCompliantWithAttestation_frontRunToTheGatekeeper_stillLetsTheSubjectThrough() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        vm.prank(makeAddr("front-runner"));
        gatekeeper.submitAttestation(a, signature);
        vm.prank(alice);
        gated.useWithAttestation(a, signature);
        assertEq(gated.uses(alice), 1);
    }

    function test_onlyCompliantWithAttestation_frontRunThenRevoked_rethrowsTheRevocation() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        gatekeeper.submitAttestation(a, signature);
        _revoke(a.uid);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationRevoked.selector, a.uid));
        gated.useWithAttestation(a, signature);
    }

    function test_onlyCompliantWithAttestation_pausedGatekeeper_onlyAnExistingRecordGetsThrough() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        vm.startPrank(admin);
        gatekeeper.grantRole(gatekeeper.PAUSER_ROLE(), admin);
        gatekeeper.pause();
        vm.stopPrank();
        vm.prank(alice);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        gated.useWithAttestation(a, signature);

        // A record made before the pause stays live (the gatekeeper's rule), so its holder is let through.
        vm.prank(admin);
        gatekeeper.unpause();
        _submitAttestation(bob, "bob-1", timestamp, 1 days);
        vm.prank(admin);
        gatekeeper.pause();
        (IComplianceGatekeeper.Attestation memory b, bytes memory bobSignature) =
            _signedAttestation(bob, "bob-2", timestamp, 1 days);
        vm.prank(bob);
        gated.useWithAttestation(b, bobSignature);
        assertEq(gated.uses(bob), 1);
    }

    function test_submitAttestation_forAnotherAccount_bindsThatAccount() public {
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "alice-1", timestamp, 1 days);
        vm.prank(bob);
        gated.creditWithAttestation(alice, a, signature);
        assertEq(gated.uses(alice), 1);

        (IComplianceGatekeeper.Attestation memory b, bytes memory bobSignature) =
            _signedAttestation(bob, "bob-1", timestamp, 1 days);
        vm.expectRevert(abi.encodeWithSelector(ICustosGated.CustosGatedSubjectMismatch.selector, alice, bob));
        gated.creditWithAttestation(alice, b, bobSignature);
    }

    // ---------------------------------------------------------------- a zero-knowledge proof

    function test_onlyWithProof_letsTheProofsRecipientThrough_andRecordsNothing() public {
        address dave = _recipient("dave");
        vm.prank(dave);
        gated.useWithProof(_proof("dave"));
        vm.snapshotGasLastCall("onlyWithProof");
        assertEq(gated.uses(dave), 1);
        assertFalse(gatekeeper.isCompliant(dave, policyId), "consuming a proof records nothing");
    }

    function test_onlyWithProof_anotherCaller_reverts() public {
        vm.prank(makeAddr("front-runner"));
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        gated.useWithProof(_proof("dave"));
    }

    function test_onlyWithProof_anotherAction_reverts() public {
        vm.prank(_recipient("dave"));
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        gated.useWithProofForAnotherAction(_proof("dave"));
    }

    function test_onlyWithProof_replay_reverts() public {
        IZkCredentials.CredentialProof memory proof = _proof("dave");
        vm.startPrank(_recipient("dave"));
        gated.useWithProof(proof);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.NullifierAlreadyUsed.selector, proof.nullifier));
        gated.useWithProof(proof);
        vm.stopPrank();
    }

    function test_onlyWithProof_proofForTheGatekeeper_reverts() public {
        // Alice's proof is scoped to the gatekeeper itself (submitProof), not to this contract.
        vm.prank(_recipient("alice"));
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        gated.useWithProof(_proof("alice"));
    }

    function _notCompliant(address account) internal view returns (bytes memory) {
        return abi.encodeWithSelector(ICustosGated.CustosGatedNotCompliant.selector, account, policyId);
    }
}
