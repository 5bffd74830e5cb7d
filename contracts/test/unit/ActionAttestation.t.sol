// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

/// @notice Action-bound attestations: spent by the contract they name, for one function and one set of arguments,
/// once, through `AgentRegistry.executeWithAttestation`; every way to move one elsewhere is refused.
contract ActionAttestationTest is CustosTestBase {
    AgentRegistry internal agents;
    uint256 internal agentId;
    bytes32 internal constant TASK = keccak256("summarise the filing");

    function setUp() public override {
        super.setUp();
        agents = new AgentRegistry(gatekeeper);
        vm.prank(bob);
        agentId = agents.registerAgent(keccak256("ipfs://agent"), KYC_BASIC);
    }

    function _action(bytes32 uid) internal view returns (IComplianceGatekeeper.ActionAttestation memory) {
        return IComplianceGatekeeper.ActionAttestation({
            uid: uid,
            subject: alice,
            policyId: KYC_BASIC,
            target: address(agents),
            selector: AgentRegistry.executeWithAttestation.selector,
            argsHash: keccak256(abi.encode(agentId, TASK)),
            issuedAt: uint64(vm.getBlockTimestamp()),
            expiresAt: uint64(vm.getBlockTimestamp() + 5 minutes)
        });
    }

    function _execute(IComplianceGatekeeper.ActionAttestation memory a, bytes memory sig) internal returns (uint256) {
        vm.prank(alice);
        return agents.executeWithAttestation(agentId, TASK, a, sig);
    }

    function test_executeWithAttestation_emitsRequestAndSpendsUid() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("once"));
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.ActionAttestationConsumed(
            a.uid, alice, address(agents), AgentRegistry.executeWithAttestation.selector, signer
        );
        vm.expectEmit(address(agents));
        emit AgentRegistry.ExecutionRequested(agentId, 1, alice, TASK);
        assertEq(_execute(a, _signAction(a, signerKey)), 1);
        assertEq(uint8(gatekeeper.uidStatus(a.uid)), uint8(ComplianceGatekeeper.UidStatus.Used));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC), "no record is written");
    }

    function test_argsHash_isTheEncodedArguments() public view {
        assertEq(agents.executionArgsHash(agentId, TASK), keccak256(abi.encode(agentId, TASK)));
    }

    function test_digest_matchesTheSpec() public view {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("digest"));
        assertEq(gatekeeper.hashActionAttestation(a), _actionDigest(a, block.chainid, address(gatekeeper)));
    }

    function test_replay_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("replay"));
        bytes memory sig = _signAction(a, signerKey);
        _execute(a, sig);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationAlreadyUsed.selector, a.uid));
        _execute(a, sig);
    }

    function test_anotherCaller_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("caller"));
        bytes memory sig = _signAction(a, signerKey);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.ActionSubjectMismatch.selector, alice, bob));
        vm.prank(bob);
        agents.executeWithAttestation(agentId, TASK, a, sig);
    }

    function test_otherArguments_revert() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("args"));
        bytes memory sig = _signAction(a, signerKey);
        bytes32 otherTask = keccak256("drain the treasury");
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.ActionArgsMismatch.selector, a.argsHash, keccak256(abi.encode(agentId, otherTask))
            )
        );
        vm.prank(alice);
        agents.executeWithAttestation(agentId, otherTask, a, sig);
    }

    function test_anotherAgent_reverts() public {
        vm.prank(bob);
        uint256 otherAgent = agents.registerAgent(keccak256("ipfs://other"), KYC_BASIC);
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("agent"));
        bytes memory sig = _signAction(a, signerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.ActionArgsMismatch.selector, a.argsHash, keccak256(abi.encode(otherAgent, TASK))
            )
        );
        vm.prank(alice);
        agents.executeWithAttestation(otherAgent, TASK, a, sig);
    }

    function test_anotherSelector_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("selector"));
        a.selector = AgentRegistry.execute.selector;
        bytes memory sig = _signAction(a, signerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.ActionSelectorMismatch.selector,
                AgentRegistry.execute.selector,
                AgentRegistry.executeWithAttestation.selector
            )
        );
        _execute(a, sig);
    }

    function test_anotherTarget_reverts() public {
        AgentRegistry otherRegistry = new AgentRegistry(gatekeeper);
        vm.prank(bob);
        otherRegistry.registerAgent(keccak256("ipfs://agent"), KYC_BASIC);
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("target"));
        bytes memory sig = _signAction(a, signerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.ActionTargetMismatch.selector, address(agents), address(otherRegistry)
            )
        );
        vm.prank(alice);
        otherRegistry.executeWithAttestation(agentId, TASK, a, sig);
    }

    /// A copy seen in the mempool cannot be burnt by calling the gatekeeper directly: only the target may spend it.
    function test_frontRunToTheGatekeeper_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("front-run"));
        bytes memory sig = _signAction(a, signerKey);
        vm.expectRevert(
            abi.encodeWithSelector(IComplianceGatekeeper.ActionTargetMismatch.selector, address(agents), bob)
        );
        vm.prank(bob);
        gatekeeper.consumeActionAttestation(a, sig, a.subject, a.policyId, a.selector, a.argsHash);
        _execute(a, sig);
    }

    function test_anotherPolicy_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("policy"));
        a.policyId = ACCREDITED;
        bytes memory sig = _signAction(a, signerKey);
        vm.expectRevert(
            abi.encodeWithSelector(IComplianceGatekeeper.ActionPolicyMismatch.selector, ACCREDITED, KYC_BASIC)
        );
        _execute(a, sig);
    }

    function test_expired_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("expired"));
        bytes memory sig = _signAction(a, signerKey);
        vm.warp(a.expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationExpired.selector, a.expiresAt));
        _execute(a, sig);
    }

    function test_lifetimeAbovePolicy_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("long"));
        a.expiresAt = a.issuedAt + MAX_LIFETIME + 1;
        bytes memory sig = _signAction(a, signerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.AttestationLifetimeInvalid.selector, a.issuedAt, a.expiresAt, MAX_LIFETIME
            )
        );
        _execute(a, sig);
    }

    function test_revokedUid_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("revoked"));
        bytes memory sig = _signAction(a, signerKey);
        _revoke(a.uid);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationRevoked.selector, a.uid));
        _execute(a, sig);
    }

    function test_revokingASpentUid_clearsNoRecord() public {
        _attest(alice, KYC_BASIC);
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("spent-then-revoked"));
        _execute(a, _signAction(a, signerKey));
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(a.uid, false);
        _revoke(a.uid);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
        assertEq(uint8(gatekeeper.uidStatus(a.uid)), uint8(ComplianceGatekeeper.UidStatus.Revoked));
    }

    function test_untrustedSigner_reverts() public {
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("untrusted"));
        bytes memory sig = _signAction(a, strangerKey);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, stranger, a.issuedAt));
        _execute(a, sig);
    }

    /// A plain attestation's signature over the same fields does not verify as an action attestation.
    function test_attestationSignature_isNotAnActionSignature() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("typed"));
        IComplianceGatekeeper.Attestation memory plain = _attestation(alice, KYC_BASIC, a.uid);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, _digest(plain, block.chainid, address(gatekeeper)));
        address recovered = ecrecover(_actionDigest(a, block.chainid, address(gatekeeper)), v, r, s);
        assertTrue(recovered != signer);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, recovered, a.issuedAt));
        _execute(a, abi.encodePacked(r, s, v));
    }

    function test_paused_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("paused"));
        bytes memory sig = _signAction(a, signerKey);
        vm.prank(pauser);
        gatekeeper.pause();
        vm.expectRevert(bytes4(keccak256("EnforcedPause()")));
        _execute(a, sig);
    }

    function test_inactiveAgent_reverts() public {
        IComplianceGatekeeper.ActionAttestation memory a = _action(keccak256("inactive"));
        bytes memory sig = _signAction(a, signerKey);
        vm.prank(bob);
        agents.setAgentActive(agentId, false);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.AgentInactive.selector, agentId));
        _execute(a, sig);
    }
}
