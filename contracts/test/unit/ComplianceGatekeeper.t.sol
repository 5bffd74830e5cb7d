// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {ComplianceRecords} from "../utils/ComplianceRecords.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {RevocationRegistry} from "../../src/RevocationRegistry.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {ZkCredentials} from "../../src/zk/ZkCredentials.sol";

contract ComplianceGatekeeperTest is CustosTestBase {
    bytes32 internal constant UID = keccak256("uid-1");

    // ------------------------------------------------------------ happy path

    function test_submit_recordsComplianceAndEmits() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationSubmitted(UID, alice, KYC_BASIC, signer, a.expiresAt);
        vm.prank(bob); // anyone may relay
        gatekeeper.submitAttestation(a, _sign(a));

        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
        assertFalse(gatekeeper.isCompliant(bob, KYC_BASIC));
        assertFalse(gatekeeper.isCompliant(alice, ACCREDITED));
        assertEq(gatekeeper.complianceExpiry(alice, KYC_BASIC), a.expiresAt);
        assertEq(uint8(gatekeeper.uidStatus(UID)), uint8(ComplianceGatekeeper.UidStatus.Used));
    }

    function test_hashAttestation_matchesIndependentDigest() public view {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        assertEq(gatekeeper.hashAttestation(a), _digest(a, block.chainid, address(gatekeeper)));
    }

    function test_eip712Domain_isCustosV1OnThisChainAndAddress() public view {
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            gatekeeper.eip712Domain();
        assertEq(name, "Custos");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(gatekeeper));
    }

    function test_isCompliant_falseAfterExpiry() public {
        _attest(alice, KYC_BASIC);
        uint64 expiry = gatekeeper.complianceExpiry(alice, KYC_BASIC);
        vm.warp(expiry - 1);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
        vm.warp(expiry);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_isCompliant_falseOnceRevoked() public {
        bytes32 uid = _attest(alice, KYC_BASIC);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(uid, true);
        vm.prank(publisher);
        registry.revoke(uid, keccak256("sanctioned"));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
        assertEq(uint8(gatekeeper.uidStatus(uid)), uint8(ComplianceGatekeeper.UidStatus.Revoked));
    }

    function test_revokingAReplacedAttestation_keepsTheNewerRecord() public {
        bytes32 older = _attest(alice, KYC_BASIC);
        vm.warp(vm.getBlockTimestamp() + 1 hours);
        bytes32 newer = _attest(alice, KYC_BASIC);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(older, false);
        vm.prank(publisher);
        registry.revoke(older, bytes32(0));
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));

        vm.prank(publisher);
        registry.revoke(newer, bytes32(0));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    // ------------------------------------------------------------ the record keeps the newest attestation

    /// Issue 10, item 6: an unused older attestation submitted after a newer one lowered the expiry, and revoking the
    /// newer uid left the subject compliant through the older one.
    function test_attack_olderAttestationAfterNewer_isRefused_andRevokingTheNewerEndsCompliance() public {
        IComplianceGatekeeper.Attestation memory older = _issuedBefore(alice, keccak256("older"), 1 hours, 1 days);
        bytes memory olderSig = _sign(older);
        IComplianceGatekeeper.Attestation memory newer = _attestation(alice, KYC_BASIC, keccak256("newer"));
        gatekeeper.submitAttestation(newer, _sign(newer));

        _expectSuperseded(older, newer.issuedAt);
        gatekeeper.submitAttestation(older, olderSig);
        assertEq(gatekeeper.complianceExpiry(alice, KYC_BASIC), newer.expiresAt, "expiry unchanged");
        assertEq(uint8(gatekeeper.uidStatus(older.uid)), uint8(ComplianceGatekeeper.UidStatus.Unused), "not spent");

        vm.prank(publisher);
        registry.revoke(newer.uid, keccak256("identity fraud"));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
        // The revocation keeps the record's issuedAt: the older attestation still cannot take the newer one's place.
        assertEq(ComplianceRecords.read(gatekeeper, alice, KYC_BASIC).issuedAt, newer.issuedAt);
        _expectSuperseded(older, newer.issuedAt);
        gatekeeper.submitAttestation(older, olderSig);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_attack_olderAttestationAfterTheNewerWasRevoked_isRefused() public {
        IComplianceGatekeeper.Attestation memory older = _issuedBefore(alice, keccak256("older"), 1 hours, 1 days);
        bytes memory olderSig = _sign(older);
        bytes32 newer = _attest(alice, KYC_BASIC);
        _revoke(newer);

        _expectSuperseded(older, uint64(vm.getBlockTimestamp()));
        gatekeeper.submitAttestation(older, olderSig);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    /// Refused even once the newer one has expired: the subject gets a fresh attestation, not an old one back.
    function test_attack_olderLongerAttestationAfterTheNewerExpired_isRefused() public {
        IComplianceGatekeeper.Attestation memory older = _issuedBefore(alice, keccak256("older"), 1 hours, 10 days);
        bytes memory olderSig = _sign(older);
        IComplianceGatekeeper.Attestation memory newer = _attestation(alice, KYC_BASIC, keccak256("newer"));
        newer.expiresAt = newer.issuedAt + 1 hours;
        gatekeeper.submitAttestation(newer, _sign(newer));
        vm.warp(newer.expiresAt);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));

        _expectSuperseded(older, newer.issuedAt);
        gatekeeper.submitAttestation(older, olderSig);
    }

    function test_submit_equalIssuedAt_isAccepted_andTheLastSubmittedHoldsTheRecord() public {
        IComplianceGatekeeper.Attestation memory first = _attestation(alice, KYC_BASIC, keccak256("first"));
        IComplianceGatekeeper.Attestation memory second = _attestation(alice, KYC_BASIC, keccak256("second"));
        second.expiresAt = first.expiresAt - 1;
        gatekeeper.submitAttestation(first, _sign(first));
        gatekeeper.submitAttestation(second, _sign(second));
        assertEq(gatekeeper.complianceExpiry(alice, KYC_BASIC), second.expiresAt);
        assertEq(ComplianceRecords.read(gatekeeper, alice, KYC_BASIC).uidPrefix, bytes16(second.uid));

        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(first.uid, false);
        _revoke(first.uid);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(second.uid, true);
        _revoke(second.uid);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    /// The newest attestation is the issuer's latest word, also when it ends sooner than the one it replaces.
    function test_submit_newerAttestation_replacesTheRecordEvenWhenItEndsSooner() public {
        IComplianceGatekeeper.Attestation memory older = _issuedBefore(alice, keccak256("older"), 1 hours, 10 days);
        gatekeeper.submitAttestation(older, _sign(older));
        IComplianceGatekeeper.Attestation memory newer = _attestation(alice, KYC_BASIC, keccak256("newer"));
        newer.expiresAt = newer.issuedAt + 1 hours;
        gatekeeper.submitAttestation(newer, _sign(newer));

        ComplianceGatekeeper.ComplianceRecord memory record = ComplianceRecords.read(gatekeeper, alice, KYC_BASIC);
        assertEq(record.validUntil, newer.expiresAt);
        assertEq(record.issuedAt, newer.issuedAt);
        assertEq(record.uidPrefix, bytes16(newer.uid));
    }

    function test_record_isPerSubjectAndPolicy() public {
        _attest(alice, KYC_BASIC);
        // Older attestations for another subject, or another policy, are not superseded by alice's kyc-basic one.
        IComplianceGatekeeper.Attestation memory bobs = _issuedBefore(bob, keccak256("bob"), 1 hours, 1 days);
        gatekeeper.submitAttestation(bobs, _sign(bobs));
        IComplianceGatekeeper.Attestation memory other = _issuedBefore(alice, keccak256("accredited"), 1 hours, 1 days);
        other.policyId = ACCREDITED;
        gatekeeper.submitAttestation(other, _sign(other));
        assertTrue(gatekeeper.isCompliant(bob, KYC_BASIC));
        assertTrue(gatekeeper.isCompliant(alice, ACCREDITED));
    }

    /// Revoking one uid does not hold the subject on-chain: a newer attestation is accepted. Holding a subject is
    /// the service's job (it refuses to issue); the chain only orders what was signed.
    function test_revocation_doesNotHoldTheSubject_aNewerAttestationIsAccepted() public {
        bytes32 revoked = _attest(alice, KYC_BASIC);
        _revoke(revoked);
        vm.warp(vm.getBlockTimestamp() + 1);
        _attest(alice, KYC_BASIC);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    /// Class 44 on-chain: a field beyond its ABI type (a uint64 of 2^64, an address with high bits) is refused by
    /// the ABI decoder, never truncated into a valid-looking attestation.
    function test_submit_revertsOnOutOfRangeCalldata() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        bytes4 selector = gatekeeper.submitAttestation.selector;
        uint256 subject = uint256(uint160(a.subject));
        bytes[3] memory bad = [
            abi.encodeWithSelector(
                selector, a.uid, subject, a.policyId, uint256(a.issuedAt) | 1 << 64, a.expiresAt, sig
            ),
            abi.encodeWithSelector(
                    selector, a.uid, subject, a.policyId, a.issuedAt, uint256(a.expiresAt) | 1 << 64, sig
                ),
            abi.encodeWithSelector(selector, a.uid, subject | 1 << 160, a.policyId, a.issuedAt, a.expiresAt, sig)
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            (bool ok, bytes memory returned) = address(gatekeeper).call(bad[i]);
            assertFalse(ok);
            assertEq(returned.length, 0, "ABI decoder revert");
        }
        // The same encoding in range is the real call.
        (bool accepted,) = address(gatekeeper)
            .call(abi.encodeWithSelector(selector, a.uid, subject, a.policyId, a.issuedAt, a.expiresAt, sig));
        assertTrue(accepted);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_uidStatus_unusedByDefault() public view {
        assertEq(uint8(gatekeeper.uidStatus(UID)), uint8(ComplianceGatekeeper.UidStatus.Unused));
    }

    // ------------------------------------------------------------ attacks that must fail

    function test_attack_signatureForAnotherChainId_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a, signerKey, 1, address(gatekeeper));
        vm.expectRevert(
            abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, _recovered(a, sig), a.issuedAt)
        );
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_chainForkReplay_domainFollowsLiveChainId() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        bytes32 separatorBefore = gatekeeper.domainSeparator();
        vm.chainId(block.chainid + 1);
        assertTrue(gatekeeper.domainSeparator() != separatorBefore, "separator recomputed");
        vm.expectRevert(
            abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, _recovered(a, sig), a.issuedAt)
        );
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_signatureForAnotherGatekeeper_reverts() public {
        RevocationRegistry otherRegistry = new RevocationRegistry(admin);
        ComplianceGatekeeper other = new ComplianceGatekeeper(admin, address(otherRegistry));
        vm.startPrank(admin);
        other.grantRole(other.SIGNER_MANAGER_ROLE(), admin);
        other.setSigner(signer, 0, type(uint64).max);
        other.setPolicy(KYC_BASIC, MAX_LIFETIME);
        vm.stopPrank();

        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a); // for `gatekeeper`, not `other`
        address recovered = ecrecover(_digest(a, block.chainid, address(other)), _v(sig), _r(sig), _s(sig));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, recovered, a.issuedAt));
        other.submitAttestation(a, sig);
    }

    function test_attack_replayOfUsedUid_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        gatekeeper.submitAttestation(a, sig);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationAlreadyUsed.selector, UID));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_usedUidUnderAnotherSubject_reverts() public {
        IComplianceGatekeeper.Attestation memory first = _attestation(alice, KYC_BASIC, UID);
        gatekeeper.submitAttestation(first, _sign(first));
        IComplianceGatekeeper.Attestation memory second = _attestation(bob, KYC_BASIC, UID);
        bytes memory sig = _sign(second);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationAlreadyUsed.selector, UID));
        gatekeeper.submitAttestation(second, sig);
    }

    function test_attack_highSMalleableSignature_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        bytes32 highS = bytes32(SECP256K1_N - uint256(_s(sig)));
        bytes memory malleable = abi.encodePacked(_r(sig), highS, _v(sig) == 27 ? uint8(28) : uint8(27));
        assertEq(ecrecover(_digest(a, block.chainid, address(gatekeeper)), _v(malleable), _r(sig), highS), signer);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.MalleableSignature.selector, highS));
        gatekeeper.submitAttestation(a, malleable);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC), "no state written");
    }

    function test_attack_compactEip2098Signature_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        (bytes32 r, bytes32 vs) = vm.signCompact(signerKey, _digest(a, block.chainid, address(gatekeeper)));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.InvalidSignatureLength.selector, 64));
        gatekeeper.submitAttestation(a, abi.encodePacked(r, vs));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC), "no state written");
        assertEq(uint8(gatekeeper.uidStatus(UID)), uint8(ComplianceGatekeeper.UidStatus.Unused));
    }

    function test_attack_signerBeforeValidityWindow_reverts() public {
        (address late, uint256 lateKey) = makeAddrAndKey("late-signer");
        vm.prank(signerManager);
        gatekeeper.setSigner(late, uint64(vm.getBlockTimestamp() + 1), type(uint64).max);
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a, lateKey, block.chainid, address(gatekeeper));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, late, a.issuedAt));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_signerAfterValidityWindow_reverts() public {
        vm.prank(signerManager);
        gatekeeper.setSigner(signer, 1, uint64(vm.getBlockTimestamp() - 1));
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, signer, a.issuedAt));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_removedSigner_rejectedWhateverIssuedAt() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.prank(signerManager);
        gatekeeper.removeSigner(signer);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, signer, a.issuedAt));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_unknownSigner_reverts() public {
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a, strangerKey, block.chainid, address(gatekeeper));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, stranger, a.issuedAt));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_expiredAttestation_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.warp(a.expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationExpired.selector, a.expiresAt));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_revokedUidBeforeSubmission_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(UID, false);
        vm.prank(publisher);
        registry.revoke(UID, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationRevoked.selector, UID));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_revokedUidResubmitted_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        gatekeeper.submitAttestation(a, sig);
        vm.prank(publisher);
        registry.revoke(UID, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationRevoked.selector, UID));
        gatekeeper.submitAttestation(a, sig);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_attack_wrongPolicy_grantsNothingForOtherPolicy() public {
        _attest(alice, ACCREDITED);
        assertTrue(gatekeeper.isCompliant(alice, ACCREDITED));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_attack_policySwappedAfterSigning_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, ACCREDITED, UID);
        bytes memory sig = _sign(a);
        a.policyId = KYC_BASIC;
        vm.expectRevert(
            abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, _recovered(a, sig), a.issuedAt)
        );
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_unknownPolicy_reverts() public {
        bytes32 unknown = keccak256("not-a-policy");
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, unknown, UID);
        bytes memory sig = _sign(a);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UnknownPolicy.selector, unknown));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_attack_pausedGatekeeper_reverts() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.prank(pauser);
        gatekeeper.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        gatekeeper.submitAttestation(a, sig);

        vm.prank(pauser);
        gatekeeper.unpause();
        gatekeeper.submitAttestation(a, sig);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_attack_callerWithoutRole_cannotSetSigner() public {
        bytes32 role = gatekeeper.SIGNER_MANAGER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        vm.prank(bob);
        gatekeeper.setSigner(bob, 0, type(uint64).max);
    }

    function test_attack_callerWithoutRole_cannotRemoveSigner() public {
        bytes32 role = gatekeeper.SIGNER_MANAGER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin); // the admin grants roles but does not hold this one
        gatekeeper.removeSigner(signer);
    }

    function test_attack_callerWithoutRole_cannotSetPolicy() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, signerManager, bytes32(0))
        );
        vm.prank(signerManager);
        gatekeeper.setPolicy(keccak256("mine"), 365 days);
    }

    function test_attack_callerWithoutRole_cannotDisablePolicy() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, bytes32(0))
        );
        vm.prank(bob);
        gatekeeper.disablePolicy(KYC_BASIC);
    }

    function test_attack_callerWithoutRole_cannotPause() public {
        bytes32 role = gatekeeper.PAUSER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        vm.prank(bob);
        gatekeeper.pause();
    }

    function test_attack_forgedRevocationCallback_reverts() public {
        bytes32 uid = _attest(alice, KYC_BASIC);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.CallerNotRevocationRegistry.selector, bob));
        vm.prank(bob);
        gatekeeper.onAttestationRevoked(uid);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    // ------------------------------------------------------------ every other custom error

    function test_submit_revertsOnZeroSubject() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(address(0), KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.expectRevert(IComplianceGatekeeper.AttestationZeroSubject.selector);
        gatekeeper.submitAttestation(a, sig);
    }

    function test_submit_revertsWhenIssuedInTheFuture() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        a.issuedAt = uint64(vm.getBlockTimestamp() + 1);
        bytes memory sig = _sign(a);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationNotYetValid.selector, a.issuedAt));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_submit_revertsWhenLifetimeExceedsPolicy() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        a.expiresAt = a.issuedAt + MAX_LIFETIME + 1;
        bytes memory sig = _sign(a);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.AttestationLifetimeInvalid.selector, a.issuedAt, a.expiresAt, MAX_LIFETIME
            )
        );
        gatekeeper.submitAttestation(a, sig);
    }

    function test_submit_revertsOnUnrecoverableSignature() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        vm.expectRevert(IComplianceGatekeeper.InvalidSignature.selector);
        gatekeeper.submitAttestation(a, abi.encodePacked(bytes32(0), bytes32(0), uint8(27)));
    }

    function test_submit_revertsOnBadV() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.expectRevert(IComplianceGatekeeper.InvalidSignature.selector);
        gatekeeper.submitAttestation(a, abi.encodePacked(_r(sig), _s(sig), uint8(29)));
    }

    function test_setSigner_revertsOnEmptyWindowOrZeroAddress() public {
        vm.startPrank(signerManager);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.InvalidSignerWindow.selector, bob, 10, 9));
        gatekeeper.setSigner(bob, 10, 9);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.InvalidSignerWindow.selector, bob, 0, 0));
        gatekeeper.setSigner(bob, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IComplianceGatekeeper.InvalidSignerWindow.selector, address(0), 0, type(uint64).max)
        );
        gatekeeper.setSigner(address(0), 0, type(uint64).max);
        vm.stopPrank();
    }

    function test_setSigner_emitsAndStoresWindow() public {
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.SignerUpdated(bob, 5, 50);
        vm.prank(signerManager);
        gatekeeper.setSigner(bob, 5, 50);
        IComplianceGatekeeper.SignerWindow memory window = gatekeeper.signerWindow(bob);
        assertEq(window.validFrom, 5);
        assertEq(window.validUntil, 50);
        assertTrue(gatekeeper.isTrustedSigner(bob, 5));
        assertTrue(gatekeeper.isTrustedSigner(bob, 50));
        assertFalse(gatekeeper.isTrustedSigner(bob, 4));
        assertFalse(gatekeeper.isTrustedSigner(bob, 51));
    }

    function test_removeSigner_revertsWhenNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.SignerNotRegistered.selector, bob));
        vm.prank(signerManager);
        gatekeeper.removeSigner(bob);
    }

    function test_removeSigner_emits() public {
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.SignerRemoved(signer);
        vm.prank(signerManager);
        gatekeeper.removeSigner(signer);
        assertFalse(gatekeeper.isTrustedSigner(signer, uint64(vm.getBlockTimestamp())));
    }

    /// Removing a key refuses its attestations from then on; records it already made last until they expire or
    /// their uids are revoked (README: revoke the uids a compromised key issued).
    function test_removeSigner_keepsRecordsAlreadyMade_untilRevoked() public {
        bytes32 uid = _attest(alice, KYC_BASIC);
        vm.prank(signerManager);
        gatekeeper.removeSigner(signer);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
        _revoke(uid);
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_rotation_overlapAcceptsBothKeysThenOnlyTheNewOne() public {
        (address next, uint256 nextKey) = makeAddrAndKey("next-signer");
        uint64 overlapEnd = uint64(vm.getBlockTimestamp() + 1 days);
        vm.startPrank(signerManager);
        gatekeeper.setSigner(next, uint64(vm.getBlockTimestamp()), type(uint64).max);
        gatekeeper.setSigner(signer, uint64(vm.getBlockTimestamp() - 365 days), overlapEnd);
        vm.stopPrank();

        // During the overlap both keys sign.
        _attest(alice, KYC_BASIC);
        IComplianceGatekeeper.Attestation memory a = _attestation(bob, KYC_BASIC, keccak256("by-next"));
        gatekeeper.submitAttestation(a, _sign(a, nextKey, block.chainid, address(gatekeeper)));

        // After it, the old key's fresh attestations are refused; the new key's are not.
        vm.warp(overlapEnd + 1);
        IComplianceGatekeeper.Attestation memory late = _attestation(alice, KYC_BASIC, keccak256("late-old"));
        bytes memory oldSig = _sign(late);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, signer, late.issuedAt));
        gatekeeper.submitAttestation(late, oldSig);
        gatekeeper.submitAttestation(late, _sign(late, nextKey, block.chainid, address(gatekeeper)));
    }

    function test_setPolicy_revertsOnZeroLifetime() public {
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.InvalidPolicyLifetime.selector, KYC_BASIC));
        vm.prank(admin);
        gatekeeper.setPolicy(KYC_BASIC, 0);
    }

    function test_setPolicy_emits() public {
        bytes32 policy = keccak256("new-policy");
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.PolicyUpdated(policy, 7 days);
        vm.prank(admin);
        gatekeeper.setPolicy(policy, 7 days);
        assertTrue(gatekeeper.isPolicyEnabled(policy));
        assertEq(gatekeeper.policyMaxLifetime(policy), 7 days);
    }

    function test_disablePolicy_stopsNewAttestationsButKeepsRecords() public {
        _attest(alice, KYC_BASIC);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.PolicyDisabled(KYC_BASIC);
        vm.prank(admin);
        gatekeeper.disablePolicy(KYC_BASIC);
        assertFalse(gatekeeper.isPolicyEnabled(KYC_BASIC));
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));

        IComplianceGatekeeper.Attestation memory a = _attestation(bob, KYC_BASIC, UID);
        bytes memory sig = _sign(a);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UnknownPolicy.selector, KYC_BASIC));
        gatekeeper.submitAttestation(a, sig);
    }

    function test_disablePolicy_revertsWhenUnknown() public {
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UnknownPolicy.selector, unknown));
        vm.prank(admin);
        gatekeeper.disablePolicy(unknown);
    }

    function test_submitProof_revertsForTheZeroRecipientOrBeforeAVerifierIsSet() public {
        ZkCredentials.CredentialProof memory proof;
        vm.expectRevert(IComplianceGatekeeper.AttestationZeroSubject.selector);
        gatekeeper.submitProof(KYC_BASIC, address(0), proof);
        vm.expectRevert(ZkCredentials.CredentialVerifierNotSet.selector);
        gatekeeper.submitProof(KYC_BASIC, alice, proof);
        vm.expectRevert(ZkCredentials.CredentialVerifierNotSet.selector);
        gatekeeper.consumeProof(KYC_BASIC, alice, bytes32(0), proof);
    }

    function test_constructor_revertsOnZeroAddresses() public {
        vm.expectRevert(IComplianceGatekeeper.ZeroAddress.selector);
        new ComplianceGatekeeper(address(0), address(registry));
        vm.expectRevert(IComplianceGatekeeper.ZeroAddress.selector);
        new ComplianceGatekeeper(admin, address(0));
    }

    function test_roles_canBeHeldByAContractWallet() public {
        // A multisig is a contract account; access control does not care, this checks nothing assumes an EOA.
        address multisig = address(new MultisigStandIn());
        vm.startPrank(admin);
        gatekeeper.grantRole(gatekeeper.SIGNER_MANAGER_ROLE(), multisig);
        vm.stopPrank();
        vm.prank(multisig);
        gatekeeper.setSigner(bob, 0, type(uint64).max);
        assertTrue(gatekeeper.isTrustedSigner(bob, 1));
    }

    // ------------------------------------------------------------ helpers

    /// @dev A kyc-basic attestation issued `age` seconds ago that lasts `lifetime`.
    function _issuedBefore(address subject, bytes32 uid, uint64 age, uint64 lifetime)
        internal
        view
        returns (IComplianceGatekeeper.Attestation memory a)
    {
        a = _attestation(subject, KYC_BASIC, uid);
        a.issuedAt -= age;
        a.expiresAt = a.issuedAt + lifetime;
    }

    function _recovered(IComplianceGatekeeper.Attestation memory a, bytes memory sig) internal view returns (address) {
        return ecrecover(_digest(a, block.chainid, address(gatekeeper)), _v(sig), _r(sig), _s(sig));
    }

    function _r(bytes memory sig) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            r := mload(add(sig, 0x20))
        }
    }

    function _s(bytes memory sig) internal pure returns (bytes32 s) {
        assembly ("memory-safe") {
            s := mload(add(sig, 0x40))
        }
    }

    function _v(bytes memory sig) internal pure returns (uint8) {
        return uint8(sig[64]);
    }
}

/// @dev Any contract account stands in for a multisig here.
contract MultisigStandIn {}
