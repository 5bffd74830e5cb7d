// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {ComplianceRecords} from "../utils/ComplianceRecords.sol";
import {CompliantToken} from "../../src/CompliantToken.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {ComplianceHandler} from "./handlers/ComplianceHandler.sol";

contract ComplianceInvariantTest is CustosTestBase {
    ComplianceHandler internal handler;
    CompliantToken internal token;

    function setUp() public override {
        super.setUp();
        token = new CompliantToken("Custos Dollar", "CUSD", admin, gatekeeper, KYC_BASIC);
        handler = new ComplianceHandler(gatekeeper, registry, token, signerKey, publisher, pauser, signerManager);
        vm.startPrank(admin);
        token.grantRole(token.MINTER_ROLE(), address(handler));
        registry.grantRole(registry.PUBLISHER_ROLE(), address(handler));
        gatekeeper.grantRole(gatekeeper.PAUSER_ROLE(), address(handler));
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// No mint or transfer ever reaches (or leaves) a holder who was not compliant at that moment.
    function invariant_noTransferReachesANonCompliantHolder() public view {
        assertEq(handler.transfersToNonCompliant(), 0);
    }

    /// A used uid is never accepted again.
    function invariant_usedUidIsNeverAcceptedAgain() public view {
        assertEq(handler.replaysAccepted(), 0);
    }

    /// A revoked uid never makes anyone compliant: it reads as revoked, and a record it wrote is gone.
    function invariant_revokedUidNeverMakesAnyoneCompliant() public view {
        uint256 count = handler.acceptedCount();
        for (uint256 i = 0; i < count; ++i) {
            IComplianceGatekeeper.Attestation memory a = handler.accepted(i);
            if (!handler.wasRevoked(a.uid)) continue;
            assertEq(uint8(gatekeeper.uidStatus(a.uid)), uint8(ComplianceGatekeeper.UidStatus.Revoked));
            assertTrue(registry.isRevoked(a.uid));
            // If the subject is compliant, a later unrevoked attestation must be the reason.
            if (gatekeeper.isCompliant(a.subject, KYC_BASIC)) {
                assertTrue(_hasLaterLiveAttestation(a.subject, i), "compliance backed by a revoked uid");
            }
        }
    }

    /// The paused state blocks every attestation write.
    function invariant_pauseBlocksWrites() public view {
        assertEq(handler.writesWhilePaused(), 0);
    }

    /// Every revocation the handler made is on-chain, and no more.
    function invariant_revocationCountMatches() public view {
        uint256 count = handler.acceptedCount();
        uint256 revoked;
        for (uint256 i = 0; i < count; ++i) {
            if (registry.isRevoked(handler.accepted(i).uid)) ++revoked;
        }
        assertEq(revoked, handler.revokedCount());
    }

    /// The record of (subject, policy) never points at an older attestation than one already accepted for it: it
    /// holds the newest accepted (by issuedAt; the last submitted among equals), revoked or not, and no attestation
    /// older than an accepted one is ever accepted.
    function invariant_recordNeverPointsAtAnOlderAttestation() public view {
        assertEq(handler.olderAccepted(), 0, "an older attestation was accepted");
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address subject = handler.actors(i);
            ComplianceGatekeeper.ComplianceRecord memory record = ComplianceRecords.read(gatekeeper, subject, KYC_BASIC);
            bytes32 newest = handler.newestUid(subject);
            assertEq(record.uidPrefix, bytes16(newest), "record holds the newest uid");
            assertEq(record.issuedAt, newest == 0 ? 0 : handler.attestationOf(newest).issuedAt);
        }
    }

    /// Compliance is exactly "the newest accepted attestation is unrevoked and unexpired".
    function invariant_complianceIsTheNewestLiveAttestation() public view {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address subject = handler.actors(i);
            bytes32 newest = handler.newestUid(subject);
            bool live = newest != 0 && !handler.wasRevoked(newest)
                && handler.attestationOf(newest).expiresAt > vm.getBlockTimestamp();
            assertEq(gatekeeper.isCompliant(subject, KYC_BASIC), live);
        }
    }

    /// Count = attested − revoked: of the accepted uids, exactly the revoked ones read as revoked, the rest as used.
    function invariant_uidCountsAreAttestedMinusRevoked() public view {
        uint256 count = handler.acceptedCount();
        uint256 used;
        uint256 revoked;
        for (uint256 i = 0; i < count; ++i) {
            ComplianceGatekeeper.UidStatus status = gatekeeper.uidStatus(handler.accepted(i).uid);
            if (status == ComplianceGatekeeper.UidStatus.Used) ++used;
            if (status == ComplianceGatekeeper.UidStatus.Revoked) ++revoked;
        }
        assertEq(used, count - handler.revokedCount());
        assertEq(revoked, handler.revokedCount());
    }

    /// After a rotation the retired key's fresh attestations are never accepted.
    function invariant_retiredKeyNeverSignsAcceptedAttestations() public view {
        assertEq(handler.retiredKeyAccepted(), 0);
    }

    function _hasLaterLiveAttestation(address subject, uint256 after_) internal view returns (bool) {
        uint256 count = handler.acceptedCount();
        for (uint256 j = after_ + 1; j < count; ++j) {
            IComplianceGatekeeper.Attestation memory b = handler.accepted(j);
            if (b.subject == subject && !handler.wasRevoked(b.uid) && b.expiresAt > vm.getBlockTimestamp()) {
                return true;
            }
        }
        return false;
    }
}
