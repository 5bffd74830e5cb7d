// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {CompliantToken} from "../../src/CompliantToken.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {ICredentialVerifier} from "../../src/interfaces/ICredentialVerifier.sol";
import {ZkCredentials} from "../../src/zk/ZkCredentials.sol";
import {custosDomainSeparator} from "../utils/CustosDomain.sol";
import {ZkTestBase} from "../utils/ZkTestBase.sol";

/// @notice Exposes the calendar conversion for its test.
contract YmdHarness is ZkCredentials {
    function ymd(uint256 timestamp) external pure returns (uint256) {
        return _ymdOf(timestamp);
    }

    // The proof entry points are the gatekeeper's; the calendar needs neither.
    function submitProof(bytes32, address, CredentialProof calldata) external pure {
        revert();
    }

    function consumeProof(bytes32, address, bytes32, CredentialProof calldata) external pure {
        revert();
    }
}

/// @notice The zero-knowledge path with real Groth16 proofs (contracts/test/fixtures/zk-proofs.json, made from the
/// committed proving key at fixed addresses and time): each attack is its own test.
contract ZkCredentialsTest is ZkTestBase {
    // ---------------------------------------------------------------- accepted

    function test_submitProof_recordsTheRecipientAsCompliant() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        address alice = _recipient("alice");
        uint256 scope = _scope(address(gatekeeper), policyId, proof.timestamp);
        vm.expectEmit(address(gatekeeper));
        emit ZkCredentials.ProofAccepted(policyId, alice, proof.nullifier, scope);
        gatekeeper.submitProof(policyId, alice, proof);
        vm.snapshotGasLastCall("submitProof");
        assertTrue(gatekeeper.isCompliant(alice, policyId));
        assertEq(gatekeeper.complianceExpiry(alice, policyId), proof.timestamp + ZK_RECORD_LIFETIME);
        assertTrue(gatekeeper.nullifierUsed(proof.nullifier));
    }

    function test_verifier_alone() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        uint256[8] memory signals = [
            proof.nullifier,
            proof.issuanceRoot,
            proof.revocationRoot,
            gatekeeper.zkPolicyHash(policyId),
            proof.timestamp,
            proof.todayYmd,
            _scope(address(gatekeeper), policyId, proof.timestamp),
            uint256(uint160(_recipient("alice")))
        ];
        assertTrue(gatekeeper.credentialVerifier().verifyProof(proof.a, proof.b, proof.c, signals));
        vm.snapshotGasLastCall("CredentialVerifier.verifyProof");
        signals[7] += 1;
        assertFalse(gatekeeper.credentialVerifier().verifyProof(proof.a, proof.b, proof.c, signals));
    }

    function test_mintWithProof_mintsToTheProofsRecipient() public {
        CompliantToken token = new CompliantToken("T", "T", admin, gatekeeper, policyId);
        address carol = _recipient("carol");
        vm.prank(admin);
        token.mintWithProof(carol, 100 ether, _proof("carol"));
        vm.snapshotGasLastCall("mintWithProof");
        assertEq(token.balanceOf(carol), 100 ether);
    }

    function test_executeWithProof_runsForTheProofsRecipientOnly() public {
        address where = vm.parseJsonAddress(fixture, ".agentRegistry");
        deployCodeTo("AgentRegistry.sol:AgentRegistry", abi.encode(address(gatekeeper)), where);
        AgentRegistry agents = AgentRegistry(where);
        agents.registerAgent(keccak256("agent"), policyId);
        address dave = _recipient("dave");

        vm.prank(makeAddr("front-runner"));
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        agents.executeWithProof(1, keccak256("task"), _proof("dave"));

        vm.prank(dave);
        assertEq(agents.executeWithProof(1, keccak256("task"), _proof("dave")), 1);
        vm.snapshotGasLastCall("executeWithProof");
        assertFalse(gatekeeper.isCompliant(dave, policyId), "consuming a proof records nothing");
    }

    function test_previousRevocationRoot_acceptedWithinTheGrace() public {
        vm.prank(publisher);
        registry.publishRoot(bytes32(vm.parseJsonUint(fixture, ".revocationRootAfterRevokingAlice")), 1);
        gatekeeper.submitProof(policyId, _recipient("alice"), _proof("alice"));
    }

    // ---------------------------------------------------------------- proofs and attestations share one record

    function test_attestationThenNewerProof_theLongerAttestationKeepsTheRecord() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        address alice = _recipient("alice");
        IComplianceGatekeeper.Attestation memory a = _submitAttestation(alice, "a", proof.timestamp - 10, 30 days);
        gatekeeper.submitProof(policyId, alice, proof);
        assertTrue(gatekeeper.nullifierUsed(proof.nullifier));
        _assertRecord(alice, a.expiresAt, a.issuedAt, a.uid);
        // The attestation still owns the record, so its revocation still ends compliance.
        _revoke(a.uid);
        assertFalse(gatekeeper.isCompliant(alice, policyId));
    }

    function test_shortAttestationThenNewerProof_theProofTakesTheRecord() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        address alice = _recipient("alice");
        IComplianceGatekeeper.Attestation memory a = _submitAttestation(alice, "a", proof.timestamp - 10, 1 hours);
        gatekeeper.submitProof(policyId, alice, proof);
        _assertRecord(alice, proof.timestamp + ZK_RECORD_LIFETIME, proof.timestamp, bytes32(proof.nullifier));
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(a.uid, false);
        _revoke(a.uid);
        assertTrue(gatekeeper.isCompliant(alice, policyId));
    }

    function test_proofThenOlderAttestation_reverts() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        address alice = _recipient("alice");
        gatekeeper.submitProof(policyId, alice, proof);
        (IComplianceGatekeeper.Attestation memory a, bytes memory signature) =
            _signedAttestation(alice, "older", proof.timestamp - 10, 30 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.AttestationSuperseded.selector, a.uid, a.issuedAt, uint64(proof.timestamp)
            )
        );
        gatekeeper.submitAttestation(a, signature);
        _assertRecord(alice, proof.timestamp + ZK_RECORD_LIFETIME, proof.timestamp, bytes32(proof.nullifier));
    }

    function test_proofThenNewerAttestation_replacesIt_andItsRevocationClearsTheRecord() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        address alice = _recipient("alice");
        gatekeeper.submitProof(policyId, alice, proof);
        IComplianceGatekeeper.Attestation memory a = _submitAttestation(alice, "newer", proof.timestamp + 30, 1 hours);
        _assertRecord(alice, a.expiresAt, a.issuedAt, a.uid);

        _revoke(a.uid);
        assertFalse(gatekeeper.isCompliant(alice, policyId));
        _assertRecord(alice, 0, a.issuedAt, a.uid);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.NullifierAlreadyUsed.selector, proof.nullifier));
        gatekeeper.submitProof(policyId, alice, proof);
    }

    function test_newerAttestationThenOlderProof_reverts_andLeavesTheNullifierUnspent() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        address alice = _recipient("alice");
        IComplianceGatekeeper.Attestation memory a = _submitAttestation(alice, "newer", proof.timestamp + 30, 1 hours);
        bytes memory superseded = abi.encodeWithSelector(
            IComplianceGatekeeper.ProofSuperseded.selector, proof.nullifier, uint64(proof.timestamp), a.issuedAt
        );
        vm.expectRevert(superseded);
        gatekeeper.submitProof(policyId, alice, proof);
        assertFalse(gatekeeper.nullifierUsed(proof.nullifier));
        _assertRecord(alice, a.expiresAt, a.issuedAt, a.uid);

        // Revoking the newer attestation does not let the older proof in either.
        _revoke(a.uid);
        vm.expectRevert(superseded);
        gatekeeper.submitProof(policyId, alice, proof);
        assertFalse(gatekeeper.isCompliant(alice, policyId));
    }

    /// A holder's clock ahead of the chain orders nothing: the proof counts as made at the block time, so the
    /// issuer's attestation of that same second is not refused as older.
    function test_proofDatedAheadOfTheChain_countsAsIssuedAtTheBlockTime() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        address alice = _recipient("alice");
        uint256 blockTime = proof.timestamp - 100;
        vm.warp(blockTime);
        gatekeeper.submitProof(policyId, alice, proof);
        _assertRecord(alice, proof.timestamp + ZK_RECORD_LIFETIME, blockTime, bytes32(proof.nullifier));
        IComplianceGatekeeper.Attestation memory a = _submitAttestation(alice, "same second", blockTime, 30 days);
        _assertRecord(alice, a.expiresAt, blockTime, a.uid);
    }

    // ---------------------------------------------------------------- attacks

    function test_reusedNullifier_reverts() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.NullifierAlreadyUsed.selector, proof.nullifier));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    /// @dev Groth16 proofs are malleable: (-A, -B, C) satisfies the same pairing equation with other bytes. Only the
    /// nullifier stops it, which is why the proof bytes are never the replay key.
    function test_rerandomisedProof_sameNullifier_reverts() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        ZkCredentials.CredentialProof memory negated = _proof("alice"); // a copy: memory structs are references
        negated.a = [proof.a[0], BN254_BASE_FIELD - proof.a[1]];
        negated.b = [proof.b[0], [BN254_BASE_FIELD - proof.b[1][0], BN254_BASE_FIELD - proof.b[1][1]]];
        assertTrue(keccak256(abi.encode(negated.a, negated.b)) != keccak256(abi.encode(proof.a, proof.b)));

        gatekeeper.submitProof(policyId, _recipient("alice"), negated);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.NullifierAlreadyUsed.selector, proof.nullifier));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    function test_proofForAnotherRecipient_reverts() public {
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        gatekeeper.submitProof(policyId, makeAddr("bob"), _proof("alice"));
    }

    function test_staleIssuanceRoot_reverts() public {
        for (uint256 i = 1; i <= ISSUANCE_ROOT_HISTORY; i++) {
            _submitIssuanceRoot(i, uint64(timestamp - 600 + i), signerKey);
        }
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.UnknownIssuanceRoot.selector, proof.issuanceRoot));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    function test_revokedCredential_underTheCurrentRoot_reverts() public {
        vm.prank(publisher);
        registry.publishRoot(bytes32(vm.parseJsonUint(fixture, ".revocationRootAfterRevokingAlice")), 1);
        vm.warp(vm.getBlockTimestamp() + REVOCATION_GRACE);
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.StaleRevocationRoot.selector, proof.revocationRoot));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    function test_tamperedPublicSignals_revert() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        proof.nullifier += 1;
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);

        proof = _proof("alice");
        proof.timestamp += 1; // same day: only the pairing check can tell
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    function test_signalAboveTheField_reverts() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        proof.nullifier += FIELD; // the same value modulo the field: a second nullifier for one credential
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.NotAFieldElement.selector, proof.nullifier));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    function test_proofForAnotherPolicy_reverts() public {
        vm.prank(admin);
        gatekeeper.setPolicy(ACCREDITED, 30 days);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.ZkPolicyNotSet.selector, ACCREDITED));
        gatekeeper.submitProof(ACCREDITED, _recipient("alice"), _proof("alice"));

        vm.prank(admin);
        gatekeeper.setZkPolicy(ACCREDITED, 12_345);
        vm.expectRevert(ZkCredentials.InvalidProof.selector);
        gatekeeper.submitProof(ACCREDITED, _recipient("alice"), _proof("alice"));
    }

    function test_timestampFarFromTheBlock_reverts() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        vm.warp(proof.timestamp + PROOF_MAX_AGE + 1);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.ProofTimestampOutOfWindow.selector, proof.timestamp));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);

        vm.warp(proof.timestamp - PROOF_MAX_SKEW - 1);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.ProofTimestampOutOfWindow.selector, proof.timestamp));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    function test_dateNotTheTimestampsDate_reverts() public {
        ZkCredentials.CredentialProof memory proof = _proof("alice");
        uint256 expected = proof.todayYmd;
        proof.todayYmd += 1;
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.WrongProofDate.selector, proof.todayYmd, expected));
        gatekeeper.submitProof(policyId, _recipient("alice"), proof);
    }

    function test_issuanceRoot_fromAnUntrustedSigner_orNotNewer_reverts() public {
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        uint64 issuedAt = uint64(timestamp);
        bytes memory signature = _signIssuanceRoot(7, issuedAt, strangerKey);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, stranger, issuedAt));
        gatekeeper.submitIssuanceRoot(7, issuedAt, signature);

        uint64 older = uint64(timestamp - 601);
        signature = _signIssuanceRoot(7, older, signerKey);
        vm.expectRevert(
            abi.encodeWithSelector(ZkCredentials.IssuanceRootNotNewer.selector, older, uint64(timestamp - 600))
        );
        gatekeeper.submitIssuanceRoot(7, older, signature);
    }

    function test_issuanceRoot_signedForAnotherChainOrGatekeeper_reverts() public {
        uint64 issuedAt = uint64(timestamp);
        bytes32 structHash = keccak256(abi.encode(ISSUANCE_ROOT_TYPEHASH, uint256(7), issuedAt));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", gatekeeper.domainSeparator(), structHash));
        bytes32[2] memory otherDomains = [
            custosDomainSeparator(block.chainid + 1, address(gatekeeper)),
            custosDomainSeparator(block.chainid, makeAddr("another gatekeeper"))
        ];
        for (uint256 i = 0; i < otherDomains.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) =
                vm.sign(signerKey, keccak256(abi.encodePacked("\x19\x01", otherDomains[i], structHash)));
            vm.expectRevert(
                abi.encodeWithSelector(
                    IComplianceGatekeeper.UntrustedSigner.selector, ecrecover(digest, v, r, s), issuedAt
                )
            );
            gatekeeper.submitIssuanceRoot(7, issuedAt, abi.encodePacked(r, s, v));
        }
    }

    /// Class 35 on-chain: a root dated beyond the skew would make every later, honest root look older.
    function test_issuanceRoot_fromTheFuture_reverts() public {
        uint64 issuedAt = uint64(vm.getBlockTimestamp() + PROOF_MAX_SKEW + 1);
        bytes memory signature = _signIssuanceRoot(7, issuedAt, signerKey);
        vm.expectRevert(abi.encodeWithSelector(ZkCredentials.IssuanceRootFromFuture.selector, issuedAt));
        gatekeeper.submitIssuanceRoot(7, issuedAt, signature);
        _submitIssuanceRoot(7, uint64(vm.getBlockTimestamp() + PROOF_MAX_SKEW), signerKey);
        assertTrue(gatekeeper.isRecentIssuanceRoot(7));
    }

    function test_noVerifierOrSecondVerifier_reverts() public {
        vm.prank(admin);
        vm.expectRevert(ZkCredentials.CredentialVerifierAlreadySet.selector);
        gatekeeper.setCredentialVerifier(ICredentialVerifier(address(1)));
    }

    function test_ymdOf_matchesTheCalendar() public {
        YmdHarness calendar = new YmdHarness();
        assertEq(calendar.ymd(0), 19_700_101);
        assertEq(calendar.ymd(951_782_400), 20_000_229); // 2000-02-29 00:00:00 UTC
        assertEq(calendar.ymd(1_795_305_599), 20_261_121); // 2026-11-21 23:59:59 UTC
        assertEq(calendar.ymd(1_795_305_600), 20_261_122);
        assertEq(calendar.ymd(4_107_542_400), 21_000_301); // 2100 is not a leap year
    }
}
