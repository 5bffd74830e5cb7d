// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {CompliantToken} from "../../src/CompliantToken.sol";
import {RevocationRegistry} from "../../src/RevocationRegistry.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {ICredentialVerifier} from "../../src/interfaces/ICredentialVerifier.sol";
import {CredentialVerifier} from "../../src/zk/CredentialVerifier.sol";
import {ZkCredentials} from "../../src/zk/ZkCredentials.sol";

/// @notice Exposes the calendar conversion for its test.
contract YmdHarness is ZkCredentials {
    function ymd(uint256 timestamp) external pure returns (uint256) {
        return _ymdOf(timestamp);
    }
}

/// @notice The zero-knowledge path with real Groth16 proofs (contracts/test/fixtures/zk-proofs.json, made from the
/// committed proving key at fixed addresses and time): each attack is its own test.
contract ZkCredentialsTest is Test {
    bytes32 internal constant ACCREDITED = keccak256("accredited-investor");
    // The contract's parameters, restated: they are internal there (every external function costs each call some
    // dispatch gas), and a test that reads them back would not notice them change.
    bytes32 internal constant ISSUANCE_ROOT_TYPEHASH = keccak256("IssuanceRoot(uint256 root,uint64 issuedAt)");
    uint256 internal constant ISSUANCE_ROOT_HISTORY = 64;
    uint256 internal constant REVOCATION_GRACE = 10 minutes;
    uint256 internal constant PROOF_MAX_AGE = 1 hours;
    /// @dev BN254's base field (coordinates of proof points), not the scalar field of the public signals.
    uint256 internal constant BN254_BASE_FIELD =
        21_888_242_871_839_275_222_246_405_745_257_275_088_696_311_157_297_823_662_689_037_894_645_226_208_583;
    uint256 internal constant PROOF_MAX_SKEW = 5 minutes;
    uint256 internal constant ZK_RECORD_LIFETIME = 1 days;
    uint256 internal constant FIELD =
        21_888_242_871_839_275_222_246_405_745_257_275_088_548_364_400_416_034_343_698_204_186_575_808_495_617;

    string internal fixture;
    bytes32 internal policyId;
    uint256 internal timestamp;
    address internal admin = makeAddr("admin");
    address internal publisher = makeAddr("publisher");
    address internal signer;
    uint256 internal signerKey;

    RevocationRegistry internal registry;
    ComplianceGatekeeper internal gatekeeper;

    function setUp() public {
        fixture = vm.readFile("contracts/test/fixtures/zk-proofs.json");
        policyId = vm.parseJsonBytes32(fixture, ".policyId");
        timestamp = vm.parseJsonUint(fixture, ".timestamp");
        vm.chainId(vm.parseJsonUint(fixture, ".chainId"));
        vm.warp(timestamp + 60);
        (signer, signerKey) = makeAddrAndKey("custos-signer");

        registry = new RevocationRegistry(admin);
        address where = vm.parseJsonAddress(fixture, ".gatekeeper");
        deployCodeTo("ComplianceGatekeeper.sol:ComplianceGatekeeper", abi.encode(admin, address(registry)), where);
        gatekeeper = ComplianceGatekeeper(where);
        vm.startPrank(admin);
        registry.bindGatekeeper(gatekeeper);
        registry.grantRole(registry.PUBLISHER_ROLE(), publisher);
        gatekeeper.grantRole(gatekeeper.SIGNER_MANAGER_ROLE(), admin);
        gatekeeper.setPolicy(policyId, 30 days);
        gatekeeper.setSigner(signer, uint64(timestamp - 365 days), type(uint64).max);
        gatekeeper.setCredentialVerifier(ICredentialVerifier(address(new CredentialVerifier())));
        gatekeeper.setZkPolicy(policyId, vm.parseJsonUint(fixture, ".policyHash"));
        vm.stopPrank();

        vm.prank(publisher);
        registry.publishRoot(bytes32(vm.parseJsonUint(fixture, ".revocationRoot")), 0);
        _submitIssuanceRoot(vm.parseJsonUint(fixture, ".issuanceRoot"), uint64(timestamp - 600), signerKey);
    }

    // ---------------------------------------------------------------- helpers

    function _proof(string memory name) internal view returns (ZkCredentials.CredentialProof memory p) {
        string memory path = string.concat(".proofs.", name, ".proof");
        uint256[] memory a = vm.parseJsonUintArray(fixture, string.concat(path, ".a"));
        uint256[] memory b0 = vm.parseJsonUintArray(fixture, string.concat(path, ".b[0]"));
        uint256[] memory b1 = vm.parseJsonUintArray(fixture, string.concat(path, ".b[1]"));
        uint256[] memory c = vm.parseJsonUintArray(fixture, string.concat(path, ".c"));
        p.a = [a[0], a[1]];
        p.b = [[b0[0], b0[1]], [b1[0], b1[1]]];
        p.c = [c[0], c[1]];
        p.nullifier = vm.parseJsonUint(fixture, string.concat(path, ".nullifier"));
        p.issuanceRoot = vm.parseJsonUint(fixture, string.concat(path, ".issuanceRoot"));
        p.revocationRoot = vm.parseJsonUint(fixture, string.concat(path, ".revocationRoot"));
        p.timestamp = vm.parseJsonUint(fixture, string.concat(path, ".timestamp"));
        p.todayYmd = vm.parseJsonUint(fixture, string.concat(path, ".todayYmd"));
    }

    /// @dev The scope, computed here as the SDK does (scopeOf), not read back from the contract.
    function _scope(address consumer, bytes32 context, uint256 timestamp_) internal view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, consumer, context, timestamp_ / 1 days))) % FIELD;
    }

    function _recipient(string memory name) internal view returns (address) {
        return vm.parseJsonAddress(fixture, string.concat(".proofs.", name, ".recipient"));
    }

    function _signIssuanceRoot(uint256 root, uint64 issuedAt, uint256 key) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(abi.encode(ISSUANCE_ROOT_TYPEHASH, root, issuedAt));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", gatekeeper.domainSeparator(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _submitIssuanceRoot(uint256 root, uint64 issuedAt, uint256 key) internal {
        gatekeeper.submitIssuanceRoot(root, issuedAt, _signIssuanceRoot(root, issuedAt, key));
    }

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
