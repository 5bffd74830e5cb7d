// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {RevocationRegistry} from "../../src/RevocationRegistry.sol";
import {IAgentDelegations} from "../../src/interfaces/IAgentDelegations.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";
import {custosDomainSeparator} from "./CustosDomain.sol";

/// @notice Deploys a bound registry and gatekeeper with one trusted signer and the `kyc-basic` policy, and signs
/// attestations with a digest built here, independently of the contract's own {hashAttestation}.
abstract contract CustosTestBase is Test {
    bytes32 internal constant KYC_BASIC = keccak256("kyc-basic");
    bytes32 internal constant ACCREDITED = keccak256("accredited-investor");
    uint64 internal constant MAX_LIFETIME = 30 days;
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    address internal admin = makeAddr("admin");
    address internal signerManager = makeAddr("signerManager");
    address internal publisher = makeAddr("publisher");
    address internal pauser = makeAddr("pauser");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    address internal signer;
    uint256 internal signerKey;

    RevocationRegistry internal registry;
    ComplianceGatekeeper internal gatekeeper;

    function setUp() public virtual {
        vm.warp(1_800_000_000);
        (signer, signerKey) = makeAddrAndKey("custos-signer");
        registry = new RevocationRegistry(admin);
        gatekeeper = new ComplianceGatekeeper(admin, address(registry));

        vm.startPrank(admin);
        registry.bindGatekeeper(gatekeeper);
        registry.grantRole(registry.PUBLISHER_ROLE(), publisher);
        gatekeeper.grantRole(gatekeeper.SIGNER_MANAGER_ROLE(), signerManager);
        gatekeeper.grantRole(gatekeeper.PAUSER_ROLE(), pauser);
        gatekeeper.setPolicy(KYC_BASIC, MAX_LIFETIME);
        gatekeeper.setPolicy(ACCREDITED, MAX_LIFETIME);
        vm.stopPrank();

        vm.prank(signerManager);
        gatekeeper.setSigner(signer, uint64(vm.getBlockTimestamp() - 365 days), type(uint64).max);
    }

    function _attestation(address subject, bytes32 policyId, bytes32 uid)
        internal
        view
        returns (IComplianceGatekeeper.Attestation memory)
    {
        return IComplianceGatekeeper.Attestation({
            uid: uid,
            subject: subject,
            policyId: policyId,
            issuedAt: uint64(vm.getBlockTimestamp()),
            expiresAt: uint64(vm.getBlockTimestamp() + 1 days)
        });
    }

    /// @dev The EIP-712 digest, built from the spec rather than from the contract.
    function _digest(IComplianceGatekeeper.Attestation memory a, uint256 chainId, address verifyingContract)
        internal
        pure
        returns (bytes32)
    {
        bytes32 domainSeparator = custosDomainSeparator(chainId, verifyingContract);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Attestation(bytes32 uid,address subject,bytes32 policyId,uint64 issuedAt,uint64 expiresAt)"),
                a.uid,
                a.subject,
                a.policyId,
                a.issuedAt,
                a.expiresAt
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }

    function _sign(IComplianceGatekeeper.Attestation memory a, uint256 key, uint256 chainId, address verifyingContract)
        internal
        pure
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest(a, chainId, verifyingContract));
        return abi.encodePacked(r, s, v);
    }

    function _sign(IComplianceGatekeeper.Attestation memory a) internal view returns (bytes memory) {
        return _sign(a, signerKey, block.chainid, address(gatekeeper));
    }

    /// @dev Submits a fresh attestation making `subject` compliant with `policyId`; returns its uid.
    function _attest(address subject, bytes32 policyId) internal returns (bytes32 uid) {
        uid = keccak256(abi.encode(subject, policyId, vm.getBlockTimestamp(), gasleft()));
        IComplianceGatekeeper.Attestation memory a = _attestation(subject, policyId, uid);
        gatekeeper.submitAttestation(a, _sign(a));
    }

    /// @dev The EIP-712 digest of an action attestation, built from the spec rather than from the contract.
    function _actionDigest(IComplianceGatekeeper.ActionAttestation memory a, uint256 chainId, address verifyingContract)
        internal
        pure
        returns (bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "ActionAttestation(bytes32 uid,address subject,bytes32 policyId,address target,bytes4 selector,bytes32 argsHash,uint64 issuedAt,uint64 expiresAt)"
                ),
                a.uid,
                a.subject,
                a.policyId,
                a.target,
                a.selector,
                a.argsHash,
                a.issuedAt,
                a.expiresAt
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", custosDomainSeparator(chainId, verifyingContract), structHash));
    }

    function _signAction(IComplianceGatekeeper.ActionAttestation memory a, uint256 key)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _actionDigest(a, block.chainid, address(gatekeeper)));
        return abi.encodePacked(r, s, v);
    }

    /// @dev The EIP-712 digest of a delegation, built from the spec rather than from the contract.
    function _delegationDigest(IAgentDelegations.Delegation memory d) internal view returns (bytes32) {
        bytes32[] memory permissionHashes = new bytes32[](d.permissions.length);
        for (uint256 i = 0; i < d.permissions.length; ++i) {
            permissionHashes[i] = keccak256(
                abi.encode(
                    keccak256("Permission(address target,bytes4 selector)"),
                    d.permissions[i].target,
                    d.permissions[i].selector
                )
            );
        }
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Delegation(bytes32 uid,address principal,address agent,bytes32 policyId,Permission[] permissions,uint128 spendCap,uint64 issuedAt,uint64 expiresAt)Permission(address target,bytes4 selector)"
                ),
                d.uid,
                d.principal,
                d.agent,
                d.policyId,
                keccak256(abi.encodePacked(permissionHashes)),
                d.spendCap,
                d.issuedAt,
                d.expiresAt
            )
        );
        return
            keccak256(
                abi.encodePacked("\x19\x01", custosDomainSeparator(block.chainid, address(gatekeeper)), structHash)
            );
    }

    function _signDigest(bytes32 digest, uint256 key) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev A delegation from `principal` to `agent` for `policyId`, allowing one call, for a day, with `spendCap`.
    function _delegation(
        bytes32 uid,
        address principal,
        address agent,
        bytes32 policyId,
        address target,
        bytes4 selector,
        uint128 spendCap
    ) internal view returns (IAgentDelegations.Delegation memory d) {
        d.uid = uid;
        d.principal = principal;
        d.agent = agent;
        d.policyId = policyId;
        d.permissions = new IAgentDelegations.Permission[](1);
        d.permissions[0] = IAgentDelegations.Permission({target: target, selector: selector});
        d.spendCap = spendCap;
        d.issuedAt = uint64(vm.getBlockTimestamp());
        d.expiresAt = uint64(vm.getBlockTimestamp() + 1 days);
    }

    /// @dev Submits `d` signed by `principalKey` and the Custos signer.
    function _delegate(IAgentDelegations.Delegation memory d, uint256 principalKey) internal {
        bytes32 digest = _delegationDigest(d);
        gatekeeper.submitDelegation(d, _signDigest(digest, principalKey), _signDigest(digest, signerKey));
    }

    /// @dev `size` attestations for KYC_BASIC, each for its own fresh subject (a cold record, as for `alice`).
    function _batch(uint256 size, bytes32 salt)
        internal
        view
        returns (IComplianceGatekeeper.Attestation[] memory batch)
    {
        batch = new IComplianceGatekeeper.Attestation[](size);
        for (uint256 i = 0; i < size; ++i) {
            bytes32 uid = keccak256(abi.encode(salt, i));
            batch[i] = _attestation(address(uint160(uint256(uid))), KYC_BASIC, uid);
        }
    }

    /// @dev The EIP-712 digest of a batch root, built from the spec rather than from the contract.
    function _batchRootDigest(bytes32 root, uint256 chainId, address verifyingContract)
        internal
        pure
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(keccak256("AttestationBatch(bytes32 root)"), root));
        return keccak256(abi.encodePacked("\x19\x01", custosDomainSeparator(chainId, verifyingContract), structHash));
    }

    function _signBatchRoot(bytes32 root) internal view returns (bytes memory) {
        return _signDigest(_batchRootDigest(root, block.chainid, address(gatekeeper)), signerKey);
    }

    function _revoke(bytes32 uid) internal {
        vm.prank(publisher);
        registry.revoke(uid, bytes32(0));
    }

    /// @dev Expects {IComplianceGatekeeper.AttestationSuperseded} for `a` against a record issued at `recordIssuedAt`.
    function _expectSuperseded(IComplianceGatekeeper.Attestation memory a, uint64 recordIssuedAt) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.AttestationSuperseded.selector, a.uid, a.issuedAt, recordIssuedAt
            )
        );
    }
}
