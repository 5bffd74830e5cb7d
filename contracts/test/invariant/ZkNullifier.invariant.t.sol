// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {ZkCredentials} from "../../src/zk/ZkCredentials.sol";
import {ZkTestBase} from "../utils/ZkTestBase.sol";
import {ZkHandler} from "./handlers/ZkHandler.sol";

/// @notice The zero-knowledge path under random sequences of real proofs, re-randomised copies, aliased nullifiers,
/// front-runners, pauses and time.
contract ZkNullifierInvariantTest is ZkTestBase {
    ZkHandler internal handler;

    function setUp() public override {
        super.setUp();
        address where = vm.parseJsonAddress(fixture, ".agentRegistry");
        deployCodeTo("AgentRegistry.sol:AgentRegistry", abi.encode(address(gatekeeper)), where);
        AgentRegistry agents = AgentRegistry(where);
        agents.registerAgent(keccak256("agent"), policyId);

        ZkCredentials.CredentialProof[] memory proofs = new ZkCredentials.CredentialProof[](2);
        address[] memory recipients = new address[](2);
        (proofs[0], recipients[0]) = (_proof("alice"), _recipient("alice"));
        (proofs[1], recipients[1]) = (_proof("carol"), _recipient("carol"));
        handler = new ZkHandler(gatekeeper, agents, policyId, proofs, recipients, _proof("dave"), _recipient("dave"));
        vm.startPrank(admin);
        gatekeeper.grantRole(gatekeeper.PAUSER_ROLE(), address(handler));
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// No nullifier is stored twice: each is accepted at most once, and marked used exactly when it was.
    function invariant_noNullifierAcceptedTwice() public view {
        for (uint256 i = 0; i < handler.nullifierCount(); ++i) {
            uint256 nullifier = handler.nullifiers(i);
            uint256 count = handler.acceptances(nullifier);
            assertLe(count, 1, "nullifier accepted twice");
            assertEq(gatekeeper.nullifierUsed(nullifier), count == 1);
        }
    }

    /// A nullifier aliased by the field modulus, or a proof relayed for another recipient, is never accepted.
    function invariant_aliasesAndStrangersNeverAccepted() public view {
        assertEq(handler.aliasesAccepted(), 0);
        assertEq(handler.strangersAccepted(), 0);
    }

    /// The paused state blocks proofs as it blocks attestations.
    function invariant_pauseBlocksProofs() public view {
        assertEq(handler.writesWhilePaused(), 0);
    }
}
