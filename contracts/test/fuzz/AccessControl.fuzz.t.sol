// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {AuditAnchor} from "../../src/AuditAnchor.sol";
import {CompliantToken} from "../../src/CompliantToken.sol";
import {RevocationRegistry} from "../../src/RevocationRegistry.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {ICredentialVerifier} from "../../src/interfaces/ICredentialVerifier.sol";
import {ZkCredentials} from "../../src/zk/ZkCredentials.sol";

/// @notice Every privileged function of every contract, called by a fuzzed `msg.sender` that holds no role: each
/// reverts with the error naming that caller (and the role it lacks). The holders' own paths are in the unit tests.
contract AccessControlFuzzTest is CustosTestBase {
    CompliantToken internal token;
    AuditAnchor internal anchors;
    AgentRegistry internal agents;
    address internal agentOwner = makeAddr("agentOwner");
    uint256 internal agentId;

    function setUp() public override {
        super.setUp();
        token = new CompliantToken("Custos Dollar", "CUSD", admin, gatekeeper, KYC_BASIC);
        anchors = new AuditAnchor(admin);
        agents = new AgentRegistry(gatekeeper);
        vm.prank(agentOwner);
        agentId = agents.registerAgent(keccak256("agent"), KYC_BASIC);
    }

    function testFuzz_gatekeeper_onlyRoleHoldersAdministrate(address caller) public {
        _assumeStranger(caller);
        bytes32 signerRole = gatekeeper.SIGNER_MANAGER_ROLE();
        bytes32 pauserRole = gatekeeper.PAUSER_ROLE();
        vm.startPrank(caller);
        _expectUnauthorized(caller, signerRole);
        gatekeeper.setSigner(caller, 0, type(uint64).max);
        _expectUnauthorized(caller, signerRole);
        gatekeeper.removeSigner(signer);
        _expectUnauthorized(caller, 0);
        gatekeeper.setPolicy(keccak256("x"), 1 days);
        _expectUnauthorized(caller, 0);
        gatekeeper.disablePolicy(KYC_BASIC);
        _expectUnauthorized(caller, 0);
        gatekeeper.setCredentialVerifier(ICredentialVerifier(caller));
        _expectUnauthorized(caller, 0);
        gatekeeper.setZkPolicy(KYC_BASIC, 1);
        _expectUnauthorized(caller, 0);
        gatekeeper.grantRole(signerRole, caller);
        _expectUnauthorized(caller, 0);
        gatekeeper.revokeRole(signerRole, signerManager);
        _expectUnauthorized(caller, pauserRole);
        gatekeeper.pause();
        vm.stopPrank();

        vm.prank(pauser);
        gatekeeper.pause();
        _expectUnauthorized(caller, pauserRole);
        vm.prank(caller);
        gatekeeper.unpause();
    }

    function testFuzz_gatekeeper_onlyTheRegistryReportsRevocations(address caller, bytes32 uid) public {
        vm.assume(caller != address(registry));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.CallerNotRevocationRegistry.selector, caller));
        vm.prank(caller);
        gatekeeper.onAttestationRevoked(uid);
    }

    function testFuzz_registry_onlyPublishersAndAdminWrite(address caller, bytes32 uid) public {
        _assumeStranger(caller);
        bytes memory unauthorized = abi.encodeWithSelector(RevocationRegistry.UnauthorizedPublisher.selector, caller);
        bytes32 publisherRole = registry.PUBLISHER_ROLE();
        bytes32[] memory uids = new bytes32[](1);
        uids[0] = uid;
        vm.startPrank(caller);
        vm.expectRevert(unauthorized);
        registry.revoke(uid, bytes32(0));
        vm.expectRevert(unauthorized);
        registry.revokeBatch(uids, bytes32(0));
        vm.expectRevert(unauthorized);
        registry.publishRoot(keccak256("root"), 0);
        _expectUnauthorized(caller, 0);
        registry.bindGatekeeper(gatekeeper);
        _expectUnauthorized(caller, 0);
        registry.grantRole(publisherRole, caller);
        vm.stopPrank();
        assertFalse(registry.isRevoked(uid));
    }

    function testFuzz_token_onlyMintersMint(address caller) public {
        _assumeStranger(caller);
        bytes32 minterRole = token.MINTER_ROLE();
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("uid"));
        bytes memory signature = _sign(a);
        ZkCredentials.CredentialProof memory proof;
        vm.startPrank(caller);
        _expectUnauthorized(caller, minterRole);
        token.mint(caller, 1);
        _expectUnauthorized(caller, minterRole);
        token.mintWithAttestation(a, signature, 1);
        _expectUnauthorized(caller, minterRole);
        token.mintWithProof(caller, 1, proof);
        _expectUnauthorized(caller, 0);
        token.grantRole(minterRole, caller);
        vm.stopPrank();
        assertEq(token.totalSupply(), 0);
    }

    function testFuzz_auditAnchor_onlyAnchorersAnchor(address caller) public {
        _assumeStranger(caller);
        bytes32 anchorerRole = anchors.ANCHORER_ROLE();
        vm.startPrank(caller);
        _expectUnauthorized(caller, anchorerRole);
        anchors.anchor(1, 10, keccak256("root"));
        _expectUnauthorized(caller, 0);
        anchors.grantRole(anchorerRole, caller);
        vm.stopPrank();
        assertEq(anchors.batchCount(), 0);
    }

    function testFuzz_agentRegistry_onlyTheOwnerManagesItsAgent(address caller) public {
        vm.assume(caller != agentOwner);
        bytes memory notOwner = abi.encodeWithSelector(AgentRegistry.NotAgentOwner.selector, agentId, caller);
        vm.startPrank(caller);
        vm.expectRevert(notOwner);
        agents.updateMetadata(agentId, keccak256("evil"));
        vm.expectRevert(notOwner);
        agents.setAgentActive(agentId, false);
        vm.stopPrank();
        assertTrue(agents.getAgent(agentId).active);
    }

    /// @dev Not one of the accounts the base grants a role to.
    function _assumeStranger(address caller) internal view {
        vm.assume(caller != admin && caller != signerManager && caller != pauser && caller != publisher);
    }

    function _expectUnauthorized(address caller, bytes32 role) internal {
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
    }
}
