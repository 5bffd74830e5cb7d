// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {RevocationRegistry} from "../../src/RevocationRegistry.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

contract RevocationRegistryTest is CustosTestBase {
    bytes32 internal constant UID = keccak256("uid");
    bytes32 internal constant REASON = keccak256("sanctions hit");

    function test_revoke_recordsEmitsAndNotifiesGatekeeper() public {
        vm.expectEmit(address(registry));
        emit RevocationRegistry.AttestationRevoked(UID, publisher, REASON);
        vm.expectCall(address(gatekeeper), abi.encodeCall(IComplianceGatekeeper.onAttestationRevoked, (UID)));
        vm.prank(publisher);
        registry.revoke(UID, REASON);
        assertTrue(registry.isRevoked(UID));
    }

    function test_revoke_adminMayWrite() public {
        vm.prank(admin);
        registry.revoke(UID, REASON);
        assertTrue(registry.isRevoked(UID));
    }

    function test_revoke_revertsForStrangers() public {
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.UnauthorizedPublisher.selector, bob));
        vm.prank(bob);
        registry.revoke(UID, REASON);
        assertFalse(registry.isRevoked(UID));
    }

    function test_revoke_revertsTwice() public {
        vm.startPrank(publisher);
        registry.revoke(UID, REASON);
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.AlreadyRevoked.selector, UID));
        registry.revoke(UID, REASON);
        vm.stopPrank();
    }

    function test_revoke_revertsBeforeGatekeeperIsBound() public {
        RevocationRegistry unbound = new RevocationRegistry(admin);
        vm.expectRevert(RevocationRegistry.GatekeeperNotBound.selector);
        vm.prank(admin);
        unbound.revoke(UID, REASON);
    }

    function test_revokeBatch_revokesAllOrNothing() public {
        bytes32[] memory uids = new bytes32[](3);
        uids[0] = keccak256("a");
        uids[1] = keccak256("b");
        uids[2] = keccak256("c");
        vm.prank(publisher);
        registry.revokeBatch(uids, REASON);
        for (uint256 i = 0; i < uids.length; ++i) {
            assertTrue(registry.isRevoked(uids[i]));
        }

        uids[0] = keccak256("d");
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.AlreadyRevoked.selector, uids[1]));
        vm.prank(publisher);
        registry.revokeBatch(uids, REASON);
        assertFalse(registry.isRevoked(uids[0]), "whole batch rolled back");
    }

    function test_bindGatekeeper_onlyOnce() public {
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.GatekeeperAlreadyBound.selector, address(gatekeeper)));
        vm.prank(admin);
        registry.bindGatekeeper(gatekeeper);
    }

    function test_bindGatekeeper_revertsForAGatekeeperOfAnotherRegistry() public {
        RevocationRegistry fresh = new RevocationRegistry(admin);
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.GatekeeperMismatch.selector, address(gatekeeper)));
        vm.prank(admin);
        fresh.bindGatekeeper(gatekeeper);
    }

    function test_bindGatekeeper_revertsForAnAccountWithoutCode() public {
        RevocationRegistry fresh = new RevocationRegistry(admin);
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.GatekeeperMismatch.selector, bob));
        vm.prank(admin);
        fresh.bindGatekeeper(IComplianceGatekeeper(bob));
    }

    function test_bindGatekeeper_emitsAndOnlyAdmin() public {
        RevocationRegistry fresh = new RevocationRegistry(admin);
        ComplianceGatekeeper freshGatekeeper = new ComplianceGatekeeper(admin, address(fresh));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, bytes32(0))
        );
        vm.prank(bob);
        fresh.bindGatekeeper(freshGatekeeper);

        vm.expectEmit(address(fresh));
        emit RevocationRegistry.GatekeeperBound(address(freshGatekeeper));
        vm.prank(admin);
        fresh.bindGatekeeper(freshGatekeeper);
        assertEq(address(fresh.gatekeeper()), address(freshGatekeeper));
    }

    function test_constructor_revertsOnZeroAdmin() public {
        vm.expectRevert(RevocationRegistry.ZeroAddress.selector);
        new RevocationRegistry(address(0));
    }

    // ------------------------------------------------------------ revocation root

    function test_initialRoot_isTheEmptyTreeAtEpochZero() public view {
        (bytes32 root, uint64 epoch,) = registry.currentRoot();
        assertEq(root, bytes32(0));
        assertEq(epoch, 0);
    }

    function test_publishRoot_advancesEpochAndEmits() public {
        bytes32 root = keccak256("root-1");
        vm.expectEmit(address(registry));
        emit RevocationRegistry.RevocationRootPublished(1, root, bytes32(0), publisher);
        vm.prank(publisher);
        registry.publishRoot(root, 0);
        (bytes32 current, uint64 epoch, uint64 publishedAt) = registry.currentRoot();
        assertEq(current, root);
        assertEq(epoch, 1);
        assertEq(publishedAt, vm.getBlockTimestamp());
    }

    function test_publishRoot_revertsOnStaleEpoch() public {
        vm.prank(publisher);
        registry.publishRoot(keccak256("root-1"), 0);
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.StaleEpoch.selector, 0, 1));
        vm.prank(admin);
        registry.publishRoot(keccak256("root-other"), 0);
    }

    function test_publishRoot_revertsWhenUnchanged() public {
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.RootUnchanged.selector, bytes32(0)));
        vm.prank(publisher);
        registry.publishRoot(bytes32(0), 0);
    }

    function test_publishRoot_revertsForStrangers() public {
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.UnauthorizedPublisher.selector, bob));
        vm.prank(bob);
        registry.publishRoot(keccak256("root"), 0);
    }

    function test_rootHistory_isBounded() public {
        uint256 size = registry.ROOT_HISTORY_SIZE();
        vm.startPrank(publisher);
        for (uint64 i = 0; i < size + 3; ++i) {
            vm.warp(vm.getBlockTimestamp() + 1);
            registry.publishRoot(keccak256(abi.encode(i)), i);
        }
        vm.stopPrank();
        (, uint64 epoch,) = registry.currentRoot();
        assertEq(epoch, size + 3);

        uint64 oldestKept = uint64(epoch - size + 1);
        assertEq(registry.rootAt(oldestKept).root, keccak256(abi.encode(oldestKept - 1)));
        assertEq(registry.rootAt(epoch).root, keccak256(abi.encode(epoch - 1)));
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.EpochOutOfHistory.selector, oldestKept - 1));
        registry.rootAt(oldestKept - 1);
        vm.expectRevert(abi.encodeWithSelector(RevocationRegistry.EpochOutOfHistory.selector, epoch + 1));
        registry.rootAt(epoch + 1);
    }
}
