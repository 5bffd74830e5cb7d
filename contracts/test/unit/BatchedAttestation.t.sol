// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {AttestationBatches} from "../utils/AttestationBatches.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {RevocationRegistry} from "../../src/RevocationRegistry.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

/// @notice {ComplianceGatekeeper.submitBatchedAttestation}: batches built by the off-chain builder's rule
/// ({AttestationBatches}), every leaf accepted with its own proof and refused with anything else.
contract BatchedAttestationTest is CustosTestBase {
    using AttestationBatches for IComplianceGatekeeper.Attestation[];
    using AttestationBatches for bytes32[];

    // ------------------------------------------------------------ the builder's rule

    /// Written out for three leaves: the odd third is carried up and paired at the top.
    function test_builder_threeLeaves_carriesTheOddLeafUp() public view {
        bytes32[] memory leaves = _batch(3, "three").leaves();
        bytes32 top = AttestationBatches.node(leaves[0], leaves[1]);
        assertEq(leaves.root(), AttestationBatches.node(top, leaves[2]));
        assertEq(leaves.proof(2).length, 1, "the carried leaf has one sibling");
        assertEq(leaves.proof(2)[0], top);
        assertEq(leaves.proof(0).length, 2);
        assertEq(leaves.proof(0)[0], leaves[1]);
        assertEq(leaves.proof(0)[1], leaves[2]);
    }

    function test_builder_leafIsTheDoubleHashedStructHash() public view {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("leaf"));
        bytes32 structHash = keccak256(
            abi.encode(gatekeeper.ATTESTATION_TYPEHASH(), a.uid, a.subject, a.policyId, a.issuedAt, a.expiresAt)
        );
        assertEq(AttestationBatches.leaf(a), keccak256(abi.encode(structHash)));
        // The contract signs the same struct hash inside its single-attestation digest.
        assertEq(
            gatekeeper.hashAttestation(a),
            keccak256(abi.encodePacked("\x19\x01", gatekeeper.domainSeparator(), structHash))
        );
    }

    function test_batchTypeHash_isTheAgreedType() public view {
        assertEq(gatekeeper.ATTESTATION_BATCH_TYPEHASH(), keccak256("AttestationBatch(bytes32 root)"));
    }

    // ------------------------------------------------------------ every leaf accepted with its proof

    function test_batchOfOne_rootIsTheLeaf_proofIsEmpty() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(1, "one");
        bytes32[] memory leaves = batch.leaves();
        assertEq(leaves.root(), leaves[0]);
        assertEq(leaves.proof(0).length, 0);
        _submitEveryLeaf(batch);
    }

    function test_batchOfTwo_everyLeafAccepted() public {
        _submitEveryLeaf(_batch(2, "two"));
    }

    function test_batchOfThree_everyLeafAccepted() public {
        _submitEveryLeaf(_batch(3, "three"));
    }

    function test_batchOfFive_everyLeafAccepted() public {
        _submitEveryLeaf(_batch(5, "five"));
    }

    function test_batchOfEight_everyLeafAccepted() public {
        _submitEveryLeaf(_batch(8, "eight"));
    }

    /// The first leaf verifies the root's signature and says so once; later ones only record.
    function test_firstLeafRemembersTheRoot_laterLeavesEmitOnlyTheirRecord() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "events");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        assertEq(gatekeeper.batchRootSigner(root), address(0));

        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationBatchVerified(root, signer);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationSubmitted(
            batch[0].uid, batch[0].subject, KYC_BASIC, signer, batch[0].expiresAt
        );
        vm.prank(bob); // anyone may relay
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
        assertEq(gatekeeper.batchRootSigner(root), signer);

        vm.recordLogs();
        gatekeeper.submitBatchedAttestation(batch[1], root, "", leaves.proof(1));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[0], IComplianceGatekeeper.AttestationSubmitted.selector);
        assertEq(logs[0].topics[1], batch[1].uid);
    }

    /// A later leaf need not pass the signature, but passing it again changes nothing.
    function test_laterLeafWithTheSignatureAgain_isAccepted() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "again");
        (bytes32[] memory leaves, bytes32 root) = _submitFirstLeaf(batch);
        gatekeeper.submitBatchedAttestation(batch[1], root, _signBatchRoot(root), leaves.proof(1));
        assertTrue(gatekeeper.isCompliant(batch[1].subject, KYC_BASIC));
    }

    // ------------------------------------------------------------ attacks: the tree

    function test_attack_proofOfAnotherLeaf_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(5, "pairing");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        bytes memory sig = _signBatchRoot(root);
        for (uint256 i = 0; i < batch.length; ++i) {
            uint256 other = (i + 1) % batch.length;
            _expectNotInBatch(batch[i].uid, root);
            gatekeeper.submitBatchedAttestation(batch[i], root, sig, leaves.proof(other));
        }
        _expectNotInBatch(batch[0].uid, root);
        gatekeeper.submitBatchedAttestation(batch[0], root, sig, new bytes32[](0));
        assertEq(gatekeeper.batchRootSigner(root), address(0), "nothing remembered");
    }

    /// A leaf of one signed batch named with another signed batch's root.
    function test_attack_leafOfAnotherBatch_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory a = _batch(4, "batch-a");
        bytes32 rootB = _batch(4, "batch-b").leaves().root();
        _expectNotInBatch(a[0].uid, rootB);
        gatekeeper.submitBatchedAttestation(a[0], rootB, _signBatchRoot(rootB), a.leaves().proof(0));
    }

    function test_attack_tamperedSubject_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(4, "tamper");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        IComplianceGatekeeper.Attestation memory tampered = batch[1];
        tampered.subject = alice;
        _expectNotInBatch(tampered.uid, root);
        gatekeeper.submitBatchedAttestation(tampered, root, _signBatchRoot(root), leaves.proof(1));
        assertFalse(gatekeeper.isCompliant(alice, KYC_BASIC));
    }

    function test_attack_tamperedExpiresAt_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(4, "tamper");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        IComplianceGatekeeper.Attestation memory tampered = batch[2];
        tampered.expiresAt += 1 days;
        _expectNotInBatch(tampered.uid, root);
        gatekeeper.submitBatchedAttestation(tampered, root, _signBatchRoot(root), leaves.proof(2));
    }

    /// At the tree level an inner node with the rest of its path verifies like a leaf; but a submitted leaf is always
    /// the double hash of an attestation, which is never a 64-byte inner node, so that path leads nowhere.
    function test_attack_innerNodeAsLeaf_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(4, "inner");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        bytes32 inner = AttestationBatches.node(leaves[0], leaves[1]);
        bytes32[] memory innerPath = new bytes32[](1);
        innerPath[0] = AttestationBatches.node(leaves[2], leaves[3]);
        assertTrue(MerkleProof.verify(innerPath, root, inner), "the inner node's path is real");

        bytes memory sig = _signBatchRoot(root);
        for (uint256 i = 0; i < 2; ++i) {
            _expectNotInBatch(batch[i].uid, root);
            gatekeeper.submitBatchedAttestation(batch[i], root, sig, innerPath);
        }
    }

    /// The subtree under an inner node, named as the root with the real root's signature: its signer is not the
    /// one that signed the real root.
    function test_attack_innerNodeAsRoot_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(4, "subtree");
        bytes32[] memory leaves = batch.leaves();
        bytes32 inner = AttestationBatches.node(leaves[0], leaves[1]);
        bytes32[] memory shortPath = new bytes32[](1);
        shortPath[0] = leaves[1];
        bytes memory sig = _signBatchRoot(leaves.root());
        address recovered = _recover(_batchRootDigest(inner, block.chainid, address(gatekeeper)), sig);
        _expectUntrusted(recovered, batch[0].issuedAt);
        gatekeeper.submitBatchedAttestation(batch[0], inner, sig, shortPath);
    }

    // ------------------------------------------------------------ attacks: the root's signature

    function test_attack_rootSignedByAnUntrustedKey_isRefused_andNotRemembered() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(3, "forged");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        (address forger, uint256 forgerKey) = makeAddrAndKey("forger");
        bytes memory forged = _signDigest(_batchRootDigest(root, block.chainid, address(gatekeeper)), forgerKey);
        _expectUntrusted(forger, batch[0].issuedAt);
        gatekeeper.submitBatchedAttestation(batch[0], root, forged, leaves.proof(0));
        assertEq(gatekeeper.batchRootSigner(root), address(0));
        // Nor does the failed attempt let a later leaf in without the signature.
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.InvalidSignatureLength.selector, 0));
        gatekeeper.submitBatchedAttestation(batch[1], root, "", leaves.proof(1));
    }

    function test_attack_rootSignedForAnotherChain_isRefused() public {
        _assertRefusedWhenSignedFor(block.chainid + 1, address(gatekeeper));
    }

    function test_attack_rootSignedForAnotherGatekeeper_isRefused() public {
        _assertRefusedWhenSignedFor(
            block.chainid, address(new ComplianceGatekeeper(admin, address(new RevocationRegistry(admin))))
        );
    }

    /// A root remembered on this chain is not remembered after a fork changes the chain id: the fork needs the
    /// root's signature for its own domain (which the signer never gave).
    function test_attack_rememberedRootAfterAChainIdChange_needsASignatureAgain() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "fork");
        (bytes32[] memory leaves, bytes32 root) = _submitFirstLeaf(batch);

        vm.chainId(block.chainid + 1);
        assertEq(gatekeeper.batchRootSigner(root), address(0));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.InvalidSignatureLength.selector, 0));
        gatekeeper.submitBatchedAttestation(batch[1], root, "", leaves.proof(1));
    }

    function test_attack_emptySignatureOnFirstUse_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "empty");
        bytes32[] memory leaves = batch.leaves();
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.InvalidSignatureLength.selector, 0));
        gatekeeper.submitBatchedAttestation(batch[0], leaves.root(), "", leaves.proof(0));
    }

    function test_attack_highSRootSignature_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "malleable");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, _batchRootDigest(root, block.chainid, address(gatekeeper)));
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.MalleableSignature.selector, highS));
        gatekeeper.submitBatchedAttestation(
            batch[0], root, abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27)), leaves.proof(0)
        );
    }

    // ------------------------------------------------------------ attacks: the uid

    function test_attack_sameLeafTwice_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "twice");
        (bytes32[] memory leaves, bytes32 root) = _submitFirstLeaf(batch);
        _expectAlreadyUsed(batch[0].uid);
        gatekeeper.submitBatchedAttestation(batch[0], root, "", leaves.proof(0));
    }

    function test_attack_uidSubmittedSinglyThenInABatch_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "single-first");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        gatekeeper.submitAttestation(batch[0], _sign(batch[0]));
        _expectAlreadyUsed(batch[0].uid);
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
    }

    function test_attack_uidSubmittedInABatchThenSingly_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "batch-first");
        (bytes32[] memory leaves, bytes32 root) = _submitFirstLeaf(batch);
        _expectAlreadyUsed(batch[0].uid);
        gatekeeper.submitAttestation(batch[0], _sign(batch[0]));
    }

    // ------------------------------------------------------------ revocation, signers, pause, times

    function test_revokingOneLeafBeforeSubmission_refusesItOnly() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(3, "revoke-before");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        _revoke(batch[1].uid);
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationRevoked.selector, batch[1].uid));
        gatekeeper.submitBatchedAttestation(batch[1], root, "", leaves.proof(1));
        gatekeeper.submitBatchedAttestation(batch[2], root, "", leaves.proof(2));
        assertTrue(gatekeeper.isCompliant(batch[0].subject, KYC_BASIC));
        assertFalse(gatekeeper.isCompliant(batch[1].subject, KYC_BASIC));
        assertTrue(gatekeeper.isCompliant(batch[2].subject, KYC_BASIC));
    }

    function test_revokingOneLeafAfterSubmission_clearsItsRecordOnly() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(3, "revoke-after");
        _submitEveryLeaf(batch);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(batch[1].uid, true);
        _revoke(batch[1].uid);
        assertTrue(gatekeeper.isCompliant(batch[0].subject, KYC_BASIC));
        assertFalse(gatekeeper.isCompliant(batch[1].subject, KYC_BASIC));
        assertTrue(gatekeeper.isCompliant(batch[2].subject, KYC_BASIC));
        assertEq(uint8(gatekeeper.uidStatus(batch[1].uid)), uint8(ComplianceGatekeeper.UidStatus.Revoked));
    }

    /// A compromised key is removed: the roots it signed stop at once, remembered or not.
    function test_removedSigner_refusesItsRememberedRoot() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(3, "removed");
        (bytes32[] memory leaves, bytes32 root) = _submitFirstLeaf(batch);
        vm.prank(signerManager);
        gatekeeper.removeSigner(signer);

        _expectUntrusted(signer, batch[1].issuedAt);
        gatekeeper.submitBatchedAttestation(batch[1], root, "", leaves.proof(1));
        _expectUntrusted(signer, batch[2].issuedAt);
        gatekeeper.submitBatchedAttestation(batch[2], root, _signBatchRoot(root), leaves.proof(2));
    }

    /// A rotated-out key's window bounds each leaf by its own issuedAt, as for a single attestation.
    function test_leafIssuedAfterTheSignersWindow_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "window");
        batch[1].issuedAt += 1;
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        vm.prank(signerManager);
        gatekeeper.setSigner(signer, 0, batch[0].issuedAt);
        vm.warp(batch[1].issuedAt);
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
        _expectUntrusted(signer, batch[1].issuedAt);
        gatekeeper.submitBatchedAttestation(batch[1], root, "", leaves.proof(1));
    }

    function test_paused_refusesBatchedAttestations() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "paused");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        vm.prank(pauser);
        gatekeeper.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
        vm.prank(pauser);
        gatekeeper.unpause();
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
    }

    function test_expiredLeaf_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "expired");
        (bytes32[] memory leaves, bytes32 root) = _submitFirstLeaf(batch);
        vm.warp(batch[1].expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationExpired.selector, batch[1].expiresAt));
        gatekeeper.submitBatchedAttestation(batch[1], root, "", leaves.proof(1));
    }

    function test_supersededLeaf_isRefused() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(1, "superseded");
        batch[0].subject = alice;
        batch[0].issuedAt -= 1 hours;
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        _attest(alice, KYC_BASIC);
        _expectSuperseded(batch[0], uint64(vm.getBlockTimestamp()));
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
    }

    /// The cheap checks come first, as in submitAttestation: no signature or proof is looked at for a zero subject.
    function test_zeroSubjectLeaf_isRefusedBeforeItsSignatureAndProof() public {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(2, "zero");
        batch[1].subject = address(0);
        vm.expectRevert(IComplianceGatekeeper.AttestationZeroSubject.selector);
        gatekeeper.submitBatchedAttestation(batch[1], batch.leaves().root(), "", new bytes32[](0));
    }

    // ------------------------------------------------------------ helpers

    /// @dev Submits every leaf of `batch` in order, the first with the root's signature and the rest without.
    function _submitEveryLeaf(IComplianceGatekeeper.Attestation[] memory batch) internal {
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        bytes memory sig = _signBatchRoot(root);
        for (uint256 i = 0; i < batch.length; ++i) {
            vm.expectEmit(address(gatekeeper));
            emit IComplianceGatekeeper.AttestationSubmitted(
                batch[i].uid, batch[i].subject, KYC_BASIC, signer, batch[i].expiresAt
            );
            gatekeeper.submitBatchedAttestation(batch[i], root, i == 0 ? sig : bytes(""), leaves.proof(i));
            assertTrue(gatekeeper.isCompliant(batch[i].subject, KYC_BASIC));
            assertEq(gatekeeper.complianceExpiry(batch[i].subject, KYC_BASIC), batch[i].expiresAt);
        }
        assertEq(gatekeeper.batchRootSigner(root), signer);
    }

    /// @dev The leaves and root of `batch`, its first leaf submitted with the root's signature (so remembered).
    function _submitFirstLeaf(IComplianceGatekeeper.Attestation[] memory batch)
        internal
        returns (bytes32[] memory leaves, bytes32 root)
    {
        leaves = batch.leaves();
        root = leaves.root();
        gatekeeper.submitBatchedAttestation(batch[0], root, _signBatchRoot(root), leaves.proof(0));
    }

    /// @dev A root signed by the trusted key for another EIP-712 domain recovers, here, to some other address.
    function _assertRefusedWhenSignedFor(uint256 chainId, address verifyingContract) internal {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(3, "domain");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        bytes memory sig = _signDigest(_batchRootDigest(root, chainId, verifyingContract), signerKey);
        _expectUntrusted(_recover(_batchRootDigest(root, block.chainid, address(gatekeeper)), sig), batch[0].issuedAt);
        gatekeeper.submitBatchedAttestation(batch[0], root, sig, leaves.proof(0));
        assertEq(gatekeeper.batchRootSigner(root), address(0));
    }

    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        return ecrecover(digest, uint8(sig[64]), r, s);
    }

    function _expectNotInBatch(bytes32 uid, bytes32 root) internal {
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationNotInBatch.selector, uid, root));
    }

    function _expectUntrusted(address who, uint64 issuedAt) internal {
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, who, issuedAt));
    }

    function _expectAlreadyUsed(bytes32 uid) internal {
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationAlreadyUsed.selector, uid));
    }
}
