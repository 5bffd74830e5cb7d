// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ComplianceGatekeeper} from "../../../src/ComplianceGatekeeper.sol";
import {RevocationRegistry} from "../../../src/RevocationRegistry.sol";
import {CompliantToken} from "../../../src/CompliantToken.sol";
import {IComplianceGatekeeper} from "../../../src/interfaces/IComplianceGatekeeper.sol";

/// @notice Drives attest, replay, revoke, transfer, mint, pause and time with random actors, and keeps the ghost
/// state the invariants compare against.
contract ComplianceHandler is Test {
    ComplianceGatekeeper internal immutable gatekeeper;
    RevocationRegistry internal immutable registry;
    CompliantToken internal immutable token;
    uint256 internal immutable signerKey;
    address internal immutable publisher;
    address internal immutable pauser;
    bytes32 internal immutable policyId;

    address[] public actors;
    bytes32[] public acceptedUids;
    bytes32[] public revokedUids;
    mapping(bytes32 uid => IComplianceGatekeeper.Attestation) internal _accepted;
    mapping(bytes32 uid => bool) public wasRevoked;

    uint256 public replaysAccepted;
    uint256 public transfersToNonCompliant;
    uint256 public writesWhilePaused;
    uint256 internal _nonce;

    constructor(
        ComplianceGatekeeper gatekeeper_,
        RevocationRegistry registry_,
        CompliantToken token_,
        uint256 signerKey_,
        address publisher_,
        address pauser_
    ) {
        gatekeeper = gatekeeper_;
        registry = registry_;
        token = token_;
        signerKey = signerKey_;
        publisher = publisher_;
        pauser = pauser_;
        policyId = token_.policyId();
        for (uint256 i = 0; i < 5; ++i) {
            actors.push(makeAddr(string.concat("actor", vm.toString(i))));
        }
    }

    function attest(uint256 actorSeed, uint256 lifetime) external {
        address subject = _actor(actorSeed);
        bytes32 uid = keccak256(abi.encode("uid", ++_nonce));
        IComplianceGatekeeper.Attestation memory a = IComplianceGatekeeper.Attestation({
            uid: uid,
            subject: subject,
            policyId: policyId,
            issuedAt: uint64(vm.getBlockTimestamp()),
            expiresAt: uint64(vm.getBlockTimestamp() + bound(lifetime, 1, 30 days))
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, gatekeeper.hashAttestation(a));
        bool paused = gatekeeper.paused();
        try gatekeeper.submitAttestation(a, abi.encodePacked(r, s, v)) {
            if (paused) ++writesWhilePaused;
            acceptedUids.push(uid);
            _accepted[uid] = a;
        } catch {}
    }

    function replay(uint256 uidSeed) external {
        if (acceptedUids.length == 0) return;
        IComplianceGatekeeper.Attestation memory a = _accepted[acceptedUids[uidSeed % acceptedUids.length]];
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, gatekeeper.hashAttestation(a));
        try gatekeeper.submitAttestation(a, abi.encodePacked(r, s, v)) {
            ++replaysAccepted;
        } catch {}
    }

    function revoke(uint256 uidSeed) external {
        if (acceptedUids.length == 0) return;
        bytes32 uid = acceptedUids[uidSeed % acceptedUids.length];
        if (wasRevoked[uid]) return;
        vm.prank(publisher);
        registry.revoke(uid, bytes32(0));
        wasRevoked[uid] = true;
        revokedUids.push(uid);
    }

    function mint(uint256 actorSeed, uint256 amount) external {
        address to = _actor(actorSeed);
        bool compliant = gatekeeper.isCompliant(to, policyId);
        vm.prank(address(this));
        try token.mint(to, bound(amount, 1, 1e24)) {
            if (!compliant) ++transfersToNonCompliant;
        } catch {}
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _actor(fromSeed);
        address to = _actor(toSeed);
        uint256 balance = token.balanceOf(from);
        if (balance == 0) return;
        bool compliant = gatekeeper.isCompliant(to, policyId) && gatekeeper.isCompliant(from, policyId);
        vm.prank(from);
        try token.transfer(to, bound(amount, 1, balance)) {
            if (!compliant) ++transfersToNonCompliant;
        } catch {}
    }

    function togglePause() external {
        vm.startPrank(pauser);
        if (gatekeeper.paused()) gatekeeper.unpause();
        else gatekeeper.pause();
        vm.stopPrank();
    }

    function warp(uint256 seconds_) external {
        vm.warp(vm.getBlockTimestamp() + bound(seconds_, 1, 10 days));
    }

    function acceptedCount() external view returns (uint256) {
        return acceptedUids.length;
    }

    function revokedCount() external view returns (uint256) {
        return revokedUids.length;
    }

    function accepted(uint256 i) external view returns (IComplianceGatekeeper.Attestation memory) {
        return _accepted[acceptedUids[i]];
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }
}
