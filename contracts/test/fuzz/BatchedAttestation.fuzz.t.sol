// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {AttestationBatches} from "../utils/AttestationBatches.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

contract BatchedAttestationFuzzTest is CustosTestBase {
    using AttestationBatches for IComplianceGatekeeper.Attestation[];
    using AttestationBatches for bytes32[];

    /// Any batch size, leaves submitted from any starting leaf: each is accepted with its own proof after being
    /// refused with its neighbour's.
    function testFuzz_batch_everyLeafAcceptedWithItsOwnProofOnly(uint256 sizeSeed, bytes32 salt, uint256 startSeed)
        public
    {
        uint256 size = bound(sizeSeed, 1, 33);
        uint256 start = bound(startSeed, 0, size - 1);
        IComplianceGatekeeper.Attestation[] memory batch = _batch(size, salt);
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        bytes memory sig = _signBatchRoot(root);
        for (uint256 k = 0; k < size; ++k) {
            uint256 i = (start + k) % size;
            if (size > 1) {
                vm.expectRevert(
                    abi.encodeWithSelector(IComplianceGatekeeper.AttestationNotInBatch.selector, batch[i].uid, root)
                );
                gatekeeper.submitBatchedAttestation(batch[i], root, sig, leaves.proof((i + 1) % size));
            }
            gatekeeper.submitBatchedAttestation(batch[i], root, k == 0 ? sig : bytes(""), leaves.proof(i));
            assertTrue(gatekeeper.isCompliant(batch[i].subject, KYC_BASIC));
        }
        assertEq(gatekeeper.batchRootSigner(root), signer);
    }

    function testFuzz_batch_refusesAnyOtherProof(bytes32[] memory proof, uint256 sizeSeed, uint256 leafSeed) public {
        uint256 size = bound(sizeSeed, 1, 33);
        uint256 i = bound(leafSeed, 0, size - 1);
        IComplianceGatekeeper.Attestation[] memory batch = _batch(size, "random-proof");
        bytes32[] memory leaves = batch.leaves();
        bytes32 root = leaves.root();
        vm.assume(keccak256(abi.encode(proof)) != keccak256(abi.encode(leaves.proof(i))));
        vm.expectRevert(
            abi.encodeWithSelector(IComplianceGatekeeper.AttestationNotInBatch.selector, batch[i].uid, root)
        );
        gatekeeper.submitBatchedAttestation(batch[i], root, _signBatchRoot(root), proof);
    }
}
