import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { complianceGatekeeperAbi, custosErrorsAbi } from '@custos/contracts';
import * as ethersHelpers from '@custos/sdk/ethers';
import * as viemHelpers from '@custos/sdk/viem';
import { encodeErrorResult, type Hex } from 'viem';

const uid = `0x${'ab'.repeat(32)}` as Hex;
const expired = encodeErrorResult({ abi: custosErrorsAbi, errorName: 'AttestationExpired', args: [5n] });

describe('@custos/sdk/ethers and /viem: reverts named after the Custos errors', () => {
  for (const [library, { decodeCustosError, CustosRevertError }] of [
    ['ethers', ethersHelpers],
    ['viem', viemHelpers],
  ] as const) {
    it(`${library}: finds the revert data wherever the library nests it, and names it`, () => {
      // ethers puts it on the error (and inside info.error); viem on a ContractFunctionRevertedError in the cause chain.
      for (const thrown of [
        { data: expired },
        { info: { error: { data: expired } } },
        { cause: { cause: { raw: expired, data: { errorName: 'ignored' } } } },
      ]) {
        const decoded = decodeCustosError(thrown);
        assert.ok(decoded instanceof CustosRevertError);
        assert.equal(decoded.errorName, 'AttestationExpired');
        assert.deepEqual(decoded.args, [5n]);
        assert.equal(decoded.message, 'AttestationExpired(5)');
        assert.equal(decoded.cause, thrown);
      }
    });

    it(`${library}: a dApp's own error needs its ABI; no data or an unknown selector is not a Custos error`, () => {
      const own = [{ type: 'error', name: 'VaultFull', inputs: [{ name: 'cap', type: 'uint256' }] }] as const;
      const full = encodeErrorResult({ abi: own, errorName: 'VaultFull', args: [7n] });
      assert.equal(decodeCustosError({ data: full }), undefined);
      assert.equal(decodeCustosError({ data: full }, own)?.message, 'VaultFull(7)');
      assert.equal(decodeCustosError(new Error('socket hang up')), undefined);
      assert.equal(decodeCustosError({ data: '0xdeadbeef' }), undefined);
    });
  }

  it('attestationArgs and proofArg give the structs the ABIs take; withCustosErrors adds each error once', () => {
    const [struct, signature] = viemHelpers.attestationArgs({
      message: {
        uid,
        subject: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
        policyId: uid,
        issuedAt: 1,
        expiresAt: 2,
      },
      signature: '0x1234',
    });
    assert.deepEqual(struct, {
      uid,
      subject: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      policyId: uid,
      issuedAt: 1n,
      expiresAt: 2n,
    });
    assert.equal(signature, '0x1234');
    assert.throws(
      () =>
        viemHelpers.attestationArgs({ message: { ...struct, issuedAt: 1, expiresAt: 2 }, signature: 'abcd' }),
      /signature must be 0x-prefixed hex/,
    );
    const proof = viemHelpers.proofArg({
      a: ['1', '2'],
      b: [
        ['3', '4'],
        ['5', '6'],
      ],
      c: ['7', '8'],
      nullifier: '9',
      issuanceRoot: '10',
      revocationRoot: '11',
      timestamp: '12',
      todayYmd: '20261202',
    });
    assert.deepEqual(proof.b, [
      [3n, 4n],
      [5n, 6n],
    ]);
    assert.equal(proof.todayYmd, 20261202n);

    const merged = viemHelpers.withCustosErrors(complianceGatekeeperAbi);
    const names = merged.filter((item) => item.type === 'error').map((item) => item.name);
    assert.equal(new Set(names).size, names.length);
    assert.ok(
      names.includes('AccessControlUnauthorizedAccount') && names.includes('CustosGatedNotCompliant'),
    );
  });
});
