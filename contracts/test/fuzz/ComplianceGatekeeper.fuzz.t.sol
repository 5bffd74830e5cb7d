// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {ComplianceRecords} from "../utils/ComplianceRecords.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

contract ComplianceGatekeeperFuzzTest is CustosTestBase {
    function _validAttestation(bytes32 uid, address subject, uint256 age, uint256 lifetime)
        internal
        view
        returns (IComplianceGatekeeper.Attestation memory a)
    {
        age = bound(age, 0, MAX_LIFETIME - 1);
        lifetime = bound(lifetime, age + 1, MAX_LIFETIME);
        a = IComplianceGatekeeper.Attestation({
            uid: uid,
            subject: subject,
            policyId: KYC_BASIC,
            issuedAt: uint64(vm.getBlockTimestamp() - age),
            expiresAt: uint64(vm.getBlockTimestamp() - age + lifetime)
        });
    }

    function testFuzz_submit_acceptsEveryValidAttestationFromATrustedKey(
        bytes32 uid,
        address subject,
        uint256 age,
        uint256 lifetime,
        uint256 keySeed
    ) public {
        vm.assume(subject != address(0));
        uint256 key = bound(keySeed, 1, SECP256K1_N - 1);
        address keyAddress = vm.addr(key);
        vm.prank(signerManager);
        gatekeeper.setSigner(keyAddress, 0, type(uint64).max);

        IComplianceGatekeeper.Attestation memory a = _validAttestation(uid, subject, age, lifetime);
        gatekeeper.submitAttestation(a, _sign(a, key, block.chainid, address(gatekeeper)));
        assertTrue(gatekeeper.isCompliant(subject, KYC_BASIC));
        assertEq(gatekeeper.complianceExpiry(subject, KYC_BASIC), a.expiresAt);
    }

    /// The one-time uid is this design's nonce: a submission spends its own uid once and no other.
    function testFuzz_submit_spendsOnlyItsOwnUid(bytes32 uid, bytes32 other) public {
        vm.assume(uid != other);
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, uid);
        bytes memory sig = _sign(a);
        gatekeeper.submitAttestation(a, sig);
        assertEq(uint8(gatekeeper.uidStatus(uid)), uint8(ComplianceGatekeeper.UidStatus.Used));
        assertEq(uint8(gatekeeper.uidStatus(other)), uint8(ComplianceGatekeeper.UidStatus.Unused));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationAlreadyUsed.selector, uid));
        gatekeeper.submitAttestation(a, sig);

        IComplianceGatekeeper.Attestation memory b = _attestation(bob, KYC_BASIC, other);
        gatekeeper.submitAttestation(b, _sign(b));
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC) && gatekeeper.isCompliant(bob, KYC_BASIC));
    }

    function testFuzz_submit_rejectsRandomSignatureBytes(bytes32 r, bytes32 s, uint8 v, bytes32 uid) public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, uid);
        bytes32 digest = _digest(a, block.chainid, address(gatekeeper));
        vm.assume(ecrecover(digest, v, r, s) != signer);
        vm.expectRevert();
        gatekeeper.submitAttestation(a, abi.encodePacked(r, s, v));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function testFuzz_submit_rejectsEveryHighSSignature(uint256 keySeed, bytes32 uid) public {
        uint256 key = bound(keySeed, 1, SECP256K1_N - 1);
        vm.prank(signerManager);
        gatekeeper.setSigner(vm.addr(key), 0, type(uint64).max);
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, uid);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest(a, block.chainid, address(gatekeeper)));
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.MalleableSignature.selector, highS));
        gatekeeper.submitAttestation(a, abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27)));
    }

    function testFuzz_submit_rejectsAnyTamperedField(uint8 field, bytes32 noise) public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("uid"));
        bytes memory sig = _sign(a);
        field = uint8(bound(field, 0, 4));
        if (field == 0) a.uid = a.uid ^ (noise == 0 ? bytes32(uint256(1)) : noise);
        if (field == 1) a.subject = address(uint160(a.subject) ^ uint160(uint256(noise) | 1));
        if (field == 2) {
            // Another enabled policy, so the failure is the signature and not the policy lookup.
            a.policyId = ACCREDITED;
        }
        if (field == 3) a.issuedAt = a.issuedAt - uint64(bound(uint256(noise), 1, 1 hours));
        if (field == 4) a.expiresAt = a.expiresAt + uint64(bound(uint256(noise), 1, 1 hours));
        vm.assume(a.subject != address(0));
        vm.expectRevert();
        gatekeeper.submitAttestation(a, sig);
    }

    function testFuzz_expiry_validOnlyBeforeExpiresAt(uint256 warpBy) public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("uid"));
        bytes memory sig = _sign(a);
        warpBy = bound(warpBy, 0, 3 days);
        vm.warp(vm.getBlockTimestamp() + warpBy);
        if (vm.getBlockTimestamp() >= a.expiresAt) {
            vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationExpired.selector, a.expiresAt));
            gatekeeper.submitAttestation(a, sig);
        } else {
            gatekeeper.submitAttestation(a, sig);
            assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
        }
    }

    function testFuzz_signerWindow_acceptsExactlyInsideTheWindow(uint64 validFrom, uint64 validUntil, uint256 age)
        public
    {
        validUntil = uint64(bound(validUntil, 1, type(uint64).max));
        validFrom = uint64(bound(validFrom, 0, validUntil));
        vm.prank(signerManager);
        gatekeeper.setSigner(signer, validFrom, validUntil);

        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("uid"));
        a.issuedAt = uint64(vm.getBlockTimestamp() - bound(age, 0, MAX_LIFETIME - 1 days));
        bytes memory sig = _sign(a);
        bool inside = a.issuedAt >= validFrom && a.issuedAt <= validUntil;
        if (!inside) {
            vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, signer, a.issuedAt));
        }
        gatekeeper.submitAttestation(a, sig);
        assertEq(gatekeeper.isCompliant(alice, KYC_BASIC), inside);
    }

    /// Two attestations in either order, the first revoked or not before the second: the second is accepted exactly
    /// when it is not older, and revoking whatever the record holds leaves the subject not compliant.
    function testFuzz_record_pairNeverLetsAnOlderAttestationBack(
        uint256[2] memory ages,
        uint256[2] memory lifetimes,
        bool revokeFirst
    ) public {
        IComplianceGatekeeper.Attestation memory first =
            _validAttestation(keccak256("first"), alice, ages[0], lifetimes[0]);
        IComplianceGatekeeper.Attestation memory second =
            _validAttestation(keccak256("second"), alice, ages[1], lifetimes[1]);
        gatekeeper.submitAttestation(first, _sign(first));
        if (revokeFirst) _revoke(first.uid);

        bool older = second.issuedAt < first.issuedAt;
        if (older) _expectSuperseded(second, first.issuedAt);
        gatekeeper.submitAttestation(second, _sign(second));

        IComplianceGatekeeper.Attestation memory held = older ? first : second;
        ComplianceGatekeeper.ComplianceRecord memory record = ComplianceRecords.read(gatekeeper, alice, KYC_BASIC);
        assertEq(record.issuedAt, held.issuedAt, "record holds the newer one");
        assertEq(record.uidPrefix, bytes16(held.uid));
        assertEq(gatekeeper.isCompliant(alice, KYC_BASIC), !(older && revokeFirst));

        if (!(older && revokeFirst)) _revoke(held.uid);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC), "revoking the newest ends compliance");
        if (older) {
            _expectSuperseded(second, first.issuedAt);
            gatekeeper.submitAttestation(second, _sign(second));
        }
    }

    /// A sequence of attestations with random issuedAt, some revoked on the way: every one older than the newest
    /// accepted so far is refused, and the record always holds the newest.
    function testFuzz_record_sequenceKeepsTheNewestByIssuedAt(
        uint256[8] memory ages,
        uint256[8] memory lifetimes,
        uint8 revokeMask
    ) public {
        uint64 newestIssuedAt;
        IComplianceGatekeeper.Attestation memory newest;
        bool newestRevoked;
        for (uint256 i = 0; i < ages.length; ++i) {
            IComplianceGatekeeper.Attestation memory a =
                _validAttestation(keccak256(abi.encode("uid", i)), alice, ages[i], lifetimes[i]);
            if (a.issuedAt < newestIssuedAt) {
                _expectSuperseded(a, newestIssuedAt);
                gatekeeper.submitAttestation(a, _sign(a));
                assertEq(uint8(gatekeeper.uidStatus(a.uid)), uint8(ComplianceGatekeeper.UidStatus.Unused));
            } else {
                gatekeeper.submitAttestation(a, _sign(a));
                (newestIssuedAt, newest, newestRevoked) = (a.issuedAt, a, false);
                if (revokeMask & (1 << i) != 0) {
                    _revoke(a.uid);
                    newestRevoked = true;
                }
            }
            ComplianceGatekeeper.ComplianceRecord memory record = ComplianceRecords.read(gatekeeper, alice, KYC_BASIC);
            assertEq(record.issuedAt, newestIssuedAt, "record issuedAt is the newest accepted");
            assertEq(record.uidPrefix, bytes16(newest.uid));
            assertEq(record.validUntil, newestRevoked ? 0 : newest.expiresAt);
        }
    }
}
