// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {RevocationRegistry} from "../../src/RevocationRegistry.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {ICredentialVerifier} from "../../src/interfaces/ICredentialVerifier.sol";
import {CredentialVerifier} from "../../src/zk/CredentialVerifier.sol";
import {ZkCredentials} from "../../src/zk/ZkCredentials.sol";
import {ComplianceRecords} from "./ComplianceRecords.sol";

/// @notice Deploys a gatekeeper with the real Groth16 verifier at the address the proofs in
/// contracts/test/fixtures/zk-proofs.json were made for (fixed addresses and time), with their issuance and
/// revocation roots, and reads those proofs.
abstract contract ZkTestBase is Test {
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

    function setUp() public virtual {
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

    /// @dev A `policyId` attestation for `subject` issued at `issuedAt`, signed by the trusted signer.
    function _signedAttestation(address subject, string memory uidSeed, uint256 issuedAt, uint64 lifetime)
        internal
        view
        returns (IComplianceGatekeeper.Attestation memory a, bytes memory signature)
    {
        a = IComplianceGatekeeper.Attestation({
            uid: keccak256(bytes(uidSeed)),
            subject: subject,
            policyId: policyId,
            issuedAt: uint64(issuedAt),
            expiresAt: uint64(issuedAt) + lifetime
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, gatekeeper.hashAttestation(a));
        signature = abi.encodePacked(r, s, v);
    }

    function _submitAttestation(address subject, string memory uidSeed, uint256 issuedAt, uint64 lifetime)
        internal
        returns (IComplianceGatekeeper.Attestation memory a)
    {
        bytes memory signature;
        (a, signature) = _signedAttestation(subject, uidSeed, issuedAt, lifetime);
        gatekeeper.submitAttestation(a, signature);
    }

    function _revoke(bytes32 uid) internal {
        vm.prank(publisher);
        registry.revoke(uid, bytes32(0));
    }

    function _assertRecord(address subject, uint256 validUntil, uint256 issuedAt, bytes32 id) internal view {
        ComplianceGatekeeper.ComplianceRecord memory record = ComplianceRecords.read(gatekeeper, subject, policyId);
        assertEq(record.validUntil, validUntil, "validUntil");
        assertEq(record.issuedAt, issuedAt, "issuedAt");
        assertEq(record.uidPrefix, bytes16(id), "uidPrefix");
    }
}
