// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {AgentRegistry} from "../../../src/AgentRegistry.sol";
import {ComplianceGatekeeper} from "../../../src/ComplianceGatekeeper.sol";
import {ZkCredentials} from "../../../src/zk/ZkCredentials.sol";

/// @notice Drives the fixture proofs through {ComplianceGatekeeper.submitProof} and
/// {AgentRegistry.executeWithProof}, as they are, re-randomised (other proof bytes, same nullifier), with the
/// nullifier aliased by the field modulus, or for another recipient; plus pause and time inside the proofs'
/// window. Counts every acceptance per nullifier.
contract ZkHandler is Test {
    /// @dev BN254's base field (proof point coordinates) and scalar field (public signals).
    uint256 internal constant BASE_FIELD =
        21_888_242_871_839_275_222_246_405_745_257_275_088_696_311_157_297_823_662_689_037_894_645_226_208_583;
    uint256 internal constant FIELD =
        21_888_242_871_839_275_222_246_405_745_257_275_088_548_364_400_416_034_343_698_204_186_575_808_495_617;

    ComplianceGatekeeper internal immutable gatekeeper;
    AgentRegistry internal immutable agents;
    bytes32 internal immutable policyId;
    uint256 internal immutable proofTime;

    ZkCredentials.CredentialProof[] internal _recordProofs;
    address[] internal _recordRecipients;
    ZkCredentials.CredentialProof internal _agentProof;
    address internal immutable agentCaller;

    uint256[] public nullifiers;
    mapping(uint256 nullifier => uint256 count) public acceptances;
    uint256 public aliasesAccepted;
    uint256 public strangersAccepted;
    uint256 public writesWhilePaused;

    constructor(
        ComplianceGatekeeper gatekeeper_,
        AgentRegistry agents_,
        bytes32 policyId_,
        ZkCredentials.CredentialProof[] memory recordProofs,
        address[] memory recordRecipients,
        ZkCredentials.CredentialProof memory agentProof,
        address agentCaller_
    ) {
        gatekeeper = gatekeeper_;
        agents = agents_;
        policyId = policyId_;
        proofTime = agentProof.timestamp;
        for (uint256 i = 0; i < recordProofs.length; ++i) {
            _recordProofs.push(recordProofs[i]);
            _recordRecipients.push(recordRecipients[i]);
            nullifiers.push(recordProofs[i].nullifier);
        }
        _agentProof = agentProof;
        agentCaller = agentCaller_;
        nullifiers.push(agentProof.nullifier);
    }

    function submitProof(uint256 seed, bool rerandomise) external {
        uint256 i = seed % _recordProofs.length;
        ZkCredentials.CredentialProof memory proof = _variant(_recordProofs[i], rerandomise);
        bool paused = gatekeeper.paused();
        try gatekeeper.submitProof(policyId, _recordRecipients[i], proof) {
            _accepted(proof.nullifier, paused);
        } catch {}
    }

    function executeWithProof(bool rerandomise) external {
        ZkCredentials.CredentialProof memory proof = _variant(_agentProof, rerandomise);
        bool paused = gatekeeper.paused();
        vm.prank(agentCaller);
        try agents.executeWithProof(1, keccak256("task"), proof) {
            _accepted(proof.nullifier, paused);
        } catch {}
    }

    /// `nullifier + p` is the same field element: a second nullifier for one credential if it were accepted.
    function submitAliasedNullifier(uint256 seed) external {
        uint256 i = seed % _recordProofs.length;
        ZkCredentials.CredentialProof memory proof = _recordProofs[i];
        proof.nullifier += FIELD;
        try gatekeeper.submitProof(policyId, _recordRecipients[i], proof) {
            ++aliasesAccepted;
        } catch {}
    }

    /// A front-runner relays someone's proof naming itself as the recipient.
    function submitForAStranger(uint256 seed, address stranger) external {
        uint256 i = seed % _recordProofs.length;
        if (stranger == _recordRecipients[i] || stranger == address(0)) return;
        try gatekeeper.submitProof(policyId, stranger, _recordProofs[i]) {
            ++strangersAccepted;
        } catch {}
    }

    function togglePause() external {
        if (gatekeeper.paused()) gatekeeper.unpause();
        else gatekeeper.pause();
    }

    /// Anywhere in the window in which the fixture proofs' timestamp is accepted.
    function warp(uint256 seed) external {
        vm.warp(bound(seed, proofTime - 5 minutes, proofTime + 1 hours));
    }

    function nullifierCount() external view returns (uint256) {
        return nullifiers.length;
    }

    function _accepted(uint256 nullifier, bool paused) internal {
        ++acceptances[nullifier];
        if (paused) ++writesWhilePaused;
    }

    /// @dev Groth16 proofs are malleable: (A, B) → (−A, −B) satisfies the same pairing with other bytes.
    function _variant(ZkCredentials.CredentialProof memory proof, bool rerandomise)
        internal
        pure
        returns (ZkCredentials.CredentialProof memory)
    {
        if (rerandomise) {
            proof.a[1] = BASE_FIELD - proof.a[1];
            proof.b[1] = [BASE_FIELD - proof.b[1][0], BASE_FIELD - proof.b[1][1]];
        }
        return proof;
    }
}
