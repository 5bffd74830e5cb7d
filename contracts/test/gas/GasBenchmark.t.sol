// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {AttestationBatches} from "../utils/AttestationBatches.sol";
import {PlainToken} from "../utils/PlainToken.sol";
import {CompliantToken} from "../../src/CompliantToken.sol";
import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {AuditAnchor} from "../../src/AuditAnchor.sol";
import {IAgentDelegations} from "../../src/interfaces/IAgentDelegations.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

/// @notice One representative call per measured entry point, each in its own transaction (`isolate = true`), so
/// forge's gas report shows real cold-storage costs. `npm run bench` prints these figures; nothing here asserts them.
contract GasBenchmarkTest is CustosTestBase {
    CompliantToken internal token;
    PlainToken internal plain;
    AgentRegistry internal agents;

    function setUp() public override {
        super.setUp();
        token = new CompliantToken("Custos Dollar", "CUSD", admin, gatekeeper, KYC_BASIC);
        plain = new PlainToken();
        agents = new AgentRegistry(gatekeeper);
    }

    function test_gas_submitAttestation() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("gas"));
        bytes memory sig = _sign(a);
        gatekeeper.submitAttestation(a, sig);
        uint256 txGas = vm.snapshotGasLastCall("submitAttestation");
        uint256 intrinsic = _intrinsicGas(abi.encodeCall(gatekeeper.submitAttestation, (a, sig)));
        vm.snapshotValue("submitAttestation execution (tx minus intrinsic)", txGas - intrinsic);
    }

    /// Next to {test_gas_submitAttestation}: the first leaf of a batch verifies the root's signature and remembers it,
    /// a later leaf only checks its Merkle proof (4 siblings for 16 leaves, 8 for 256).
    function test_gas_submitBatchedAttestation_16() public {
        _snapshotBatch(16, "16 leaves");
    }

    function test_gas_submitBatchedAttestation_256() public {
        _snapshotBatch(256, "256 leaves");
    }

    function _snapshotBatch(uint256 size, string memory label) internal {
        IComplianceGatekeeper.Attestation[] memory batch = _batch(size, keccak256(bytes(label)));
        bytes32[] memory leaves = AttestationBatches.leaves(batch);
        bytes32 root = AttestationBatches.root(leaves);
        _snapshotLeaf(batch[0], root, _signBatchRoot(root), AttestationBatches.proof(leaves, 0), "first", label);
        _snapshotLeaf(batch[1], root, "", AttestationBatches.proof(leaves, 1), "later", label);
    }

    function _snapshotLeaf(
        IComplianceGatekeeper.Attestation memory a,
        bytes32 root,
        bytes memory rootSignature,
        bytes32[] memory proof,
        string memory which,
        string memory label
    ) internal {
        gatekeeper.submitBatchedAttestation(a, root, rootSignature, proof);
        string memory name = string.concat("submitBatchedAttestation ", which, " (", label, ")");
        uint256 txGas = vm.snapshotGasLastCall(name);
        uint256 intrinsic =
            _intrinsicGas(abi.encodeCall(gatekeeper.submitBatchedAttestation, (a, root, rootSignature, proof)));
        vm.snapshotValue(string.concat(name, " execution (tx minus intrinsic)"), txGas - intrinsic);
    }

    /// @dev 21,000 plus calldata at 4 gas per zero byte and 16 per non-zero byte (EIP-2028).
    function _intrinsicGas(bytes memory callData) internal pure returns (uint256 gas) {
        gas = 21_000;
        for (uint256 i = 0; i < callData.length; ++i) {
            gas += callData[i] == 0 ? 4 : 16;
        }
    }

    function test_gas_isCompliant() public {
        _attest(alice, KYC_BASIC);
        assertTrue(gatekeeper.isCompliant(alice, KYC_BASIC));
        vm.snapshotGasLastCall("isCompliant");
    }

    /// Same shape for both tokens: the sender keeps a balance, the recipient has none yet.
    function test_gas_transfer_gatedVersusPlain() public {
        _attest(alice, KYC_BASIC);
        _attest(bob, KYC_BASIC);
        vm.prank(admin);
        token.mint(alice, 1000);
        plain.mint(alice, 1000);

        vm.prank(alice);
        plain.transfer(bob, 100);
        uint256 plainGas = vm.snapshotGasLastCall("transfer plain ERC-20");
        vm.prank(alice);
        token.transfer(bob, 100);
        uint256 gatedGas = vm.snapshotGasLastCall("transfer gated");
        emit log_named_uint("gated transfer overhead", gatedGas - plainGas);
    }

    /// Same shape as {test_gas_transfer_gatedVersusPlain}: an agent moves its principal's tokens under a delegation
    /// with a spend cap (the cap's running total is written on every transfer).
    function test_gas_transferAsDelegate() public {
        (address principal, uint256 principalKey) = makeAddrAndKey("principal");
        address agent = makeAddr("agent");
        _attest(principal, KYC_BASIC);
        _attest(bob, KYC_BASIC);
        vm.prank(admin);
        token.mint(principal, 1000);
        IAgentDelegations.Delegation memory d = _delegation(
            keccak256("delegation"), principal, agent, KYC_BASIC, address(token), token.transferAsDelegate.selector, 500
        );
        _delegate(d, principalKey);
        vm.snapshotGasLastCall("submitDelegation");
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 100);
        vm.snapshotGasLastCall("transferAsDelegate");
    }

    function test_gas_agentExecuteAsDelegate() public {
        (address principal, uint256 principalKey) = makeAddrAndKey("principal");
        address agent = makeAddr("agent");
        vm.prank(bob);
        uint256 agentId = agents.registerAgent(keccak256("ipfs://agent"), KYC_BASIC);
        _attest(principal, KYC_BASIC);
        IAgentDelegations.Delegation memory d = _delegation(
            keccak256("delegation"),
            principal,
            agent,
            KYC_BASIC,
            address(agents),
            agents.executeAsDelegate.selector,
            type(uint128).max
        );
        _delegate(d, principalKey);
        vm.prank(agent);
        agents.executeAsDelegate(d.uid, agentId, keccak256("task"));
        vm.snapshotGasLastCall("AgentRegistry.executeAsDelegate");
    }

    function test_gas_mintWithAttestation() public {
        IComplianceGatekeeper.Attestation memory a = _attestation(alice, KYC_BASIC, keccak256("mint"));
        bytes memory sig = _sign(a);
        vm.prank(admin);
        token.mintWithAttestation(a, sig, 1000);
        vm.snapshotGasLastCall("mintWithAttestation");
    }

    function test_gas_agentExecute() public {
        vm.prank(bob);
        uint256 agentId = agents.registerAgent(keccak256("ipfs://agent"), KYC_BASIC);
        _attest(alice, KYC_BASIC);
        vm.prank(alice);
        agents.execute(agentId, keccak256("task"));
        vm.snapshotGasLastCall("AgentRegistry.execute");
    }

    /// Same agent and caller shape as {test_gas_agentExecute}, the caller holding an action attestation instead of a
    /// record.
    function test_gas_agentExecuteWithAttestation() public {
        vm.prank(bob);
        uint256 agentId = agents.registerAgent(keccak256("ipfs://agent"), KYC_BASIC);
        bytes32 task = keccak256("task");
        IComplianceGatekeeper.ActionAttestation memory a = IComplianceGatekeeper.ActionAttestation({
            uid: keccak256("action"),
            subject: alice,
            policyId: KYC_BASIC,
            target: address(agents),
            selector: AgentRegistry.executeWithAttestation.selector,
            argsHash: agents.executionArgsHash(agentId, task),
            issuedAt: uint64(vm.getBlockTimestamp()),
            expiresAt: uint64(vm.getBlockTimestamp() + 5 minutes)
        });
        bytes memory sig = _signAction(a, signerKey);
        vm.prank(alice);
        agents.executeWithAttestation(agentId, task, a, sig);
        vm.snapshotGasLastCall("AgentRegistry.executeWithAttestation");
    }

    function test_gas_auditAnchor() public {
        AuditAnchor anchors = new AuditAnchor(admin);
        bytes32 role = anchors.ANCHORER_ROLE();
        vm.prank(admin);
        anchors.grantRole(role, admin);
        vm.prank(admin);
        anchors.anchor(1, 1000, keccak256("batch root"));
        vm.snapshotGasLastCall("AuditAnchor.anchor");
    }
}
