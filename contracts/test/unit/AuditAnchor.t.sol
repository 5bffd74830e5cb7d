// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AuditAnchor} from "../../src/AuditAnchor.sol";

contract AuditAnchorTest is Test {
    AuditAnchor internal anchors;
    address internal admin = makeAddr("admin");
    address internal anchorer = makeAddr("anchorer");
    bytes32 internal constant ROOT = keccak256("root");

    function setUp() public {
        anchors = new AuditAnchor(admin);
        bytes32 role = anchors.ANCHORER_ROLE();
        vm.prank(admin);
        anchors.grantRole(role, anchorer);
    }

    function test_anchor_storesContiguousBatchesAndEmits() public {
        vm.expectEmit(address(anchors));
        emit AuditAnchor.BatchAnchored(0, 1, 10, ROOT);
        vm.prank(anchorer);
        assertEq(anchors.anchor(1, 10, ROOT), 0);
        vm.prank(anchorer);
        assertEq(anchors.anchor(11, 11, keccak256("second")), 1);

        assertEq(anchors.batchCount(), 2);
        assertEq(anchors.nextSeq(), 12);
        AuditAnchor.Batch memory first = anchors.batch(0);
        assertEq(first.firstSeq, 1);
        assertEq(first.lastSeq, 10);
        assertEq(first.root, ROOT);
        assertEq(first.anchoredAt, vm.getBlockTimestamp());
    }

    function test_anchor_revertsOnAGapOrAnOverlap() public {
        vm.startPrank(anchorer);
        vm.expectRevert(abi.encodeWithSelector(AuditAnchor.NonContiguousBatch.selector, 1, 2));
        anchors.anchor(2, 5, ROOT);
        anchors.anchor(1, 5, ROOT);
        vm.expectRevert(abi.encodeWithSelector(AuditAnchor.NonContiguousBatch.selector, 6, 1));
        anchors.anchor(1, 5, ROOT); // the same batch twice
        vm.expectRevert(abi.encodeWithSelector(AuditAnchor.NonContiguousBatch.selector, 6, 5));
        anchors.anchor(5, 9, ROOT);
        vm.stopPrank();
    }

    function test_anchor_revertsOnEmptyBatchOrZeroRoot() public {
        vm.startPrank(anchorer);
        vm.expectRevert(abi.encodeWithSelector(AuditAnchor.EmptyBatch.selector, 1, 0));
        anchors.anchor(1, 0, ROOT);
        vm.expectRevert(AuditAnchor.ZeroRoot.selector);
        anchors.anchor(1, 1, bytes32(0));
        vm.stopPrank();
    }

    function test_anchor_revertsForCallersWithoutTheRole() public {
        bytes32 role = anchors.ANCHORER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        anchors.anchor(1, 1, ROOT);
    }

    function test_batch_revertsForUnknownIndex() public {
        vm.expectRevert(abi.encodeWithSelector(AuditAnchor.UnknownBatch.selector, 0));
        anchors.batch(0);
    }

    function test_constructor_revertsOnZeroAdmin() public {
        vm.expectRevert(AuditAnchor.ZeroAddress.selector);
        new AuditAnchor(address(0));
    }

    function testFuzz_anchor_sequencesStayContiguous(uint8 batches, uint256 seed) public {
        batches = uint8(bound(batches, 1, 40));
        uint64 next = 1;
        vm.startPrank(anchorer);
        for (uint256 i = 0; i < batches; ++i) {
            uint64 size = uint64(bound(uint256(keccak256(abi.encode(seed, i))), 1, 1000));
            anchors.anchor(next, next + size - 1, keccak256(abi.encode(i)));
            next += size;
        }
        vm.stopPrank();
        assertEq(anchors.nextSeq(), next);
        assertEq(anchors.batchCount(), batches);
        for (uint256 i = 1; i < batches; ++i) {
            assertEq(anchors.batch(i).firstSeq, anchors.batch(i - 1).lastSeq + 1);
        }
    }
}
