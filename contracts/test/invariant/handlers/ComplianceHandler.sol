// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ComplianceGatekeeper} from "../../../src/ComplianceGatekeeper.sol";
import {RevocationRegistry} from "../../../src/RevocationRegistry.sol";
import {CompliantToken} from "../../../src/CompliantToken.sol";
import {IComplianceGatekeeper} from "../../../src/interfaces/IComplianceGatekeeper.sol";

/// @notice Drives attest (now or back-dated), replay, revoke, signer rotation, transfer, mint, pause and time with
/// random actors, and keeps the ghost state the invariants compare against.
contract ComplianceHandler is Test {
    /// @notice A signing key and the trust window the handler gave it.
    struct Key {
        uint256 privateKey;
        uint64 validFrom;
        uint64 validUntil;
    }

    ComplianceGatekeeper internal immutable gatekeeper;
    RevocationRegistry internal immutable registry;
    CompliantToken internal immutable token;
    address internal immutable publisher;
    address internal immutable pauser;
    address internal immutable signerManager;
    bytes32 internal immutable policyId;

    address[] public actors;
    bytes32[] public acceptedUids;
    bytes32[] public revokedUids;
    Key[] internal _keys;
    mapping(bytes32 uid => IComplianceGatekeeper.Attestation) internal _accepted;
    mapping(bytes32 uid => bytes) internal _signatures;
    mapping(bytes32 uid => bool) public wasRevoked;
    /// @notice The uid of the newest attestation (by issuedAt, the last submitted among equals) accepted per subject.
    mapping(address subject => bytes32 uid) public newestUid;

    uint256 public replaysAccepted;
    uint256 public transfersToNonCompliant;
    uint256 public writesWhilePaused;
    /// @notice Attestations accepted although one with a later issuedAt had been accepted for the same subject.
    uint256 public olderAccepted;
    /// @notice Attestations accepted from a key outside its trust window.
    uint256 public retiredKeyAccepted;
    uint256 internal _nonce;

    constructor(
        ComplianceGatekeeper gatekeeper_,
        RevocationRegistry registry_,
        CompliantToken token_,
        uint256 signerKey_,
        address publisher_,
        address pauser_,
        address signerManager_
    ) {
        gatekeeper = gatekeeper_;
        registry = registry_;
        token = token_;
        publisher = publisher_;
        pauser = pauser_;
        signerManager = signerManager_;
        policyId = token_.policyId();
        IComplianceGatekeeper.SignerWindow memory window = gatekeeper_.signerWindow(vm.addr(signerKey_));
        _keys.push(Key(signerKey_, window.validFrom, window.validUntil));
        for (uint256 i = 0; i < 5; ++i) {
            actors.push(makeAddr(string.concat("actor", vm.toString(i))));
        }
    }

    function attest(uint256 actorSeed, uint256 lifetime) external {
        _submit(_attestation(_actor(actorSeed), 0, lifetime), _keys[_keys.length - 1].privateKey);
    }

    /// Back-dated by up to a policy lifetime, signed by the key trusted at that time: often older than the newest.
    function attestIssuedBefore(uint256 actorSeed, uint256 age, uint256 lifetime) external {
        IComplianceGatekeeper.Attestation memory a =
            _attestation(_actor(actorSeed), bound(age, 0, 30 days - 1), lifetime);
        _submit(a, _keyTrustedAt(a.issuedAt));
    }

    function replay(uint256 uidSeed) external {
        if (acceptedUids.length == 0) return;
        bytes32 uid = acceptedUids[uidSeed % acceptedUids.length];
        try gatekeeper.submitAttestation(_accepted[uid], _signatures[uid]) {
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

    /// Rotation as the README describes it: trust a new key from now on, then end the current key's window now.
    function rotate() external {
        Key storage current = _keys[_keys.length - 1];
        uint64 now_ = uint64(vm.getBlockTimestamp());
        uint256 nextKey = uint256(keccak256(abi.encode("rotated key", _keys.length)));
        vm.startPrank(signerManager);
        gatekeeper.setSigner(vm.addr(nextKey), now_, type(uint64).max);
        gatekeeper.setSigner(vm.addr(current.privateKey), current.validFrom, now_);
        vm.stopPrank();
        current.validUntil = now_;
        _keys.push(Key(nextKey, now_, type(uint64).max));
    }

    /// A retired key signs a fresh attestation, issued after its window ended.
    function attestWithRetiredKey(uint256 actorSeed, uint256 keySeed) external {
        if (_keys.length < 2) return;
        Key memory retired = _keys[keySeed % (_keys.length - 1)];
        IComplianceGatekeeper.Attestation memory a = _attestation(_actor(actorSeed), 0, 1 days);
        if (a.issuedAt <= retired.validUntil) return;
        if (_submit(a, retired.privateKey)) ++retiredKeyAccepted;
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

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function accepted(uint256 i) external view returns (IComplianceGatekeeper.Attestation memory) {
        return _accepted[acceptedUids[i]];
    }

    function attestationOf(bytes32 uid) external view returns (IComplianceGatekeeper.Attestation memory) {
        return _accepted[uid];
    }

    /// @dev Issued `age` seconds ago, lasting at most the policy's 30 days and ending after now.
    function _attestation(address subject, uint256 age, uint256 lifetime)
        internal
        returns (IComplianceGatekeeper.Attestation memory)
    {
        uint64 issuedAt = uint64(vm.getBlockTimestamp() - age);
        return IComplianceGatekeeper.Attestation({
            uid: keccak256(abi.encode("uid", ++_nonce)),
            subject: subject,
            policyId: policyId,
            issuedAt: issuedAt,
            expiresAt: issuedAt + uint64(bound(lifetime, age + 1, 30 days))
        });
    }

    /// @dev Signs and submits `a`; on success records it in the ghost state.
    function _submit(IComplianceGatekeeper.Attestation memory a, uint256 privateKey) internal returns (bool) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, gatekeeper.hashAttestation(a));
        bytes memory signature = abi.encodePacked(r, s, v);
        bool paused = gatekeeper.paused();
        try gatekeeper.submitAttestation(a, signature) {
            if (paused) ++writesWhilePaused;
            bytes32 newest = newestUid[a.subject];
            if (newest != 0 && a.issuedAt < _accepted[newest].issuedAt) ++olderAccepted;
            else newestUid[a.subject] = a.uid;
            acceptedUids.push(a.uid);
            _accepted[a.uid] = a;
            _signatures[a.uid] = signature;
            return true;
        } catch {
            return false;
        }
    }

    /// @dev The newest key whose window contains `timestamp` (the first key's window starts a year before setUp).
    function _keyTrustedAt(uint64 timestamp) internal view returns (uint256) {
        for (uint256 i = _keys.length; i > 0; --i) {
            Key memory key = _keys[i - 1];
            if (timestamp >= key.validFrom && timestamp <= key.validUntil) return key.privateKey;
        }
        return _keys[0].privateKey;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }
}
