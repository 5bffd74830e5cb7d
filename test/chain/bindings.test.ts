import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbiCoder, Interface, ZeroAddress, type InterfaceAbi } from 'ethers';
import { custosErrorsAbi, deployedContracts } from '@custos/contracts';
import { bindContract, custosContract, deployContract, describeRevert } from '../../src/chain/index.js';

/** A value of each non-integer type the errors take. */
const SAMPLE: Record<string, unknown> = {
  address: ZeroAddress,
  bytes32: `0x${'ab'.repeat(32)}`,
  bytes16: `0x${'cd'.repeat(16)}`,
  bytes4: '0xa9059cbb',
  bytes: '0x1234',
  string: 'reason',
  bool: true,
};

describe('typed contract bindings', () => {
  it('names every error of every Custos contract with its arguments, never "unknown custom error"', () => {
    const errors = new Interface(custosErrorsAbi as unknown as InterfaceAbi);
    const coder = AbiCoder.defaultAbiCoder();
    let checked = 0;
    for (const contract of Object.values(deployedContracts)) {
      for (const item of contract.abi) {
        if (item.type !== 'error') continue;
        const fragment = errors.getError(item.name)!;
        const values = fragment.inputs.map((input) => SAMPLE[input.type] ?? 7n);
        const data = fragment.selector + coder.encode(fragment.inputs, values).slice(2);
        assert.equal(describeRevert(data), `${item.name}(${values.map(String).join(', ')})`);
        checked++;
      }
    }
    assert.ok(checked > 40, `${checked} errors checked`);
  });

  it("names Solidity's own Error(string) and Panic(uint256), an unknown selector by itself, and no data as nothing", () => {
    const builtins = new Interface(['error Error(string)', 'error Panic(uint256)']);
    assert.equal(describeRevert(builtins.encodeErrorResult('Error', ['boom'])), 'Error(boom)');
    assert.equal(describeRevert(builtins.encodeErrorResult('Panic', [0x11])), 'Panic(17)');
    assert.equal(describeRevert('0xdeadbeef'), 'an unknown custom error 0xdeadbeef');
    for (const none of ['0x', '0x12', undefined, null, 42]) assert.equal(describeRevert(none), undefined);
  });

  it('refuses an ABI that overloads a name (a call by name would be ambiguous)', () => {
    const overloaded = [
      { type: 'function', name: 'f', inputs: [], outputs: [], stateMutability: 'view' },
      {
        type: 'function',
        name: 'f',
        inputs: [{ name: 'x', type: 'uint256' }],
        outputs: [],
        stateMutability: 'view',
      },
    ] as const;
    assert.throws(() => bindContract(overloaded, ZeroAddress, null), /f is overloaded/);
  });

  it('splits functions into reads and writes by their state mutability', () => {
    const gatekeeper = custosContract('ComplianceGatekeeper', ZeroAddress, null);
    assert.equal(typeof gatekeeper.read.isCompliant, 'function');
    assert.equal(typeof gatekeeper.populate.submitAttestation, 'function');
    assert.equal('submitAttestation' in gatekeeper.read, false);
    assert.equal('isCompliant' in gatekeeper.write, false);
  });
});

/**
 * Compile-time checks (`npm run typecheck`): each line below must be a type error, or `@ts-expect-error` itself is
 * one. Never called.
 */
export async function mistypedCallsDoNotCompile(): Promise<void> {
  const gatekeeper = custosContract('ComplianceGatekeeper', ZeroAddress, null);
  // @ts-expect-error a function the ABI does not have
  await gatekeeper.read.isCompliantWith(ZeroAddress, ZeroAddress);
  // @ts-expect-error one argument short
  await gatekeeper.read.isCompliant(ZeroAddress);
  // @ts-expect-error an integer where an address goes
  await gatekeeper.read.isCompliant(1n, ZeroAddress);
  // @ts-expect-error a view function is not a write
  await gatekeeper.write.isCompliant(ZeroAddress, ZeroAddress);
  const incomplete = { uid: '0x', subject: ZeroAddress, policyId: '0x', issuedAt: 1 };
  // @ts-expect-error an attestation without expiresAt
  await gatekeeper.populate.submitAttestation(incomplete, '0x');
  // @ts-expect-error results are typed: isCompliant is a boolean
  const expiry: bigint = await gatekeeper.read.isCompliant(ZeroAddress, ZeroAddress);
  // @ts-expect-error RevocationRegistry's constructor takes the admin
  await deployContract('RevocationRegistry', undefined as never);
  void expiry;
}
