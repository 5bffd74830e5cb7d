// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

contract AgentRegistryTest is CustosTestBase {
    AgentRegistry internal agents;
    address internal owner = makeAddr("agent-owner");
    bytes32 internal constant METADATA = keccak256("ipfs://bafy-agent");
    bytes32 internal constant TASK = keccak256("summarise the filing");

    function setUp() public override {
        super.setUp();
        agents = new AgentRegistry(gatekeeper);
    }

    function _register() internal returns (uint256 agentId) {
        vm.prank(owner);
        agentId = agents.registerAgent(METADATA, KYC_BASIC);
    }

    function test_register_storesAndEmits() public {
        vm.expectEmit(address(agents));
        emit AgentRegistry.AgentRegistered(1, owner, KYC_BASIC, METADATA);
        uint256 agentId = _register();
        assertEq(agentId, 1);
        AgentRegistry.Agent memory agent = agents.getAgent(agentId);
        assertEq(agent.owner, owner);
        assertTrue(agent.active);
        assertEq(agent.policyId, KYC_BASIC);
        assertEq(agent.metadataHash, METADATA);
        assertEq(agents.agentCount(), 1);
    }

    function test_register_revertsForUnknownPolicy() public {
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.UnknownPolicy.selector, unknown));
        vm.prank(owner);
        agents.registerAgent(METADATA, unknown);
    }

    function test_register_revertsForEmptyMetadata() public {
        vm.expectRevert(AgentRegistry.EmptyMetadata.selector);
        vm.prank(owner);
        agents.registerAgent(bytes32(0), KYC_BASIC);
    }

    function test_execute_forCompliantCallerEmitsRequest() public {
        uint256 agentId = _register();
        _attest(alice, KYC_BASIC);
        vm.expectEmit(address(agents));
        emit AgentRegistry.ExecutionRequested(agentId, 1, alice, TASK);
        vm.prank(alice);
        assertEq(agents.execute(agentId, TASK), 1);
        vm.prank(alice);
        assertEq(agents.execute(agentId, TASK), 2, "request ids are sequential");
    }

    function test_execute_revertsForNonCompliantCaller() public {
        uint256 agentId = _register();
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.CallerNotCompliant.selector, bob, KYC_BASIC));
        vm.prank(bob);
        agents.execute(agentId, TASK);
    }

    function test_execute_revertsAfterRevocation() public {
        uint256 agentId = _register();
        bytes32 uid = _attest(alice, KYC_BASIC);
        vm.prank(publisher);
        registry.revoke(uid, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.CallerNotCompliant.selector, alice, KYC_BASIC));
        vm.prank(alice);
        agents.execute(agentId, TASK);
    }

    function test_execute_revertsForUnknownAgent() public {
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.AgentNotFound.selector, 7));
        agents.execute(7, TASK);
    }

    function test_execute_revertsForInactiveAgent() public {
        uint256 agentId = _register();
        _attest(alice, KYC_BASIC);
        vm.expectEmit(address(agents));
        emit AgentRegistry.AgentActiveChanged(agentId, false);
        vm.prank(owner);
        agents.setAgentActive(agentId, false);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.AgentInactive.selector, agentId));
        vm.prank(alice);
        agents.execute(agentId, TASK);

        vm.prank(owner);
        agents.setAgentActive(agentId, true);
        vm.prank(alice);
        agents.execute(agentId, TASK);
    }

    function test_management_onlyByOwner() public {
        uint256 agentId = _register();
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentOwner.selector, agentId, bob));
        vm.prank(bob);
        agents.setAgentActive(agentId, false);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentOwner.selector, agentId, bob));
        vm.prank(bob);
        agents.updateMetadata(agentId, keccak256("evil"));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.AgentNotFound.selector, 9));
        vm.prank(owner);
        agents.setAgentActive(9, false);
    }

    function test_updateMetadata_storesAndEmits() public {
        uint256 agentId = _register();
        bytes32 next = keccak256("ipfs://bafy-v2");
        vm.expectEmit(address(agents));
        emit AgentRegistry.AgentMetadataUpdated(agentId, next);
        vm.prank(owner);
        agents.updateMetadata(agentId, next);
        assertEq(agents.getAgent(agentId).metadataHash, next);

        vm.expectRevert(AgentRegistry.EmptyMetadata.selector);
        vm.prank(owner);
        agents.updateMetadata(agentId, bytes32(0));
    }

    function test_getAgent_revertsForUnknownAgent() public {
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.AgentNotFound.selector, 3));
        agents.getAgent(3);
    }

    function test_constructor_revertsOnZeroGatekeeper() public {
        vm.expectRevert(AgentRegistry.ZeroAddress.selector);
        new AgentRegistry(IComplianceGatekeeper(address(0)));
    }
}
