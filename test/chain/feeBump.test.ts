import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JsonRpcProvider, Wallet, hexlify, randomBytes, toQuantity } from 'ethers';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  ChainOperator,
  deployCustos,
  startAnvil,
  type AnvilHandle,
  type ChainReceipt,
  type Deployment,
} from '../../src/chain/index.js';
import { CustosError } from '../../src/errors/index.js';

/**
 * Stuck operator transactions on a real anvil. Automine is switched off so the test decides when blocks come: the
 * operator's first send is accepted into the pool, and either no block comes or a block with a base fee above its
 * fee cap passes it by, as in a fee spike (anvil then drops it from its pool, where geth would keep it pending:
 * either way it is never mined unless replaced).
 */
describe('operator transactions: fee bumps', () => {
  let anvil: AnvilHandle;
  let provider: JsonRpcProvider;
  let deployment: Deployment;
  const operatorAddress = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY).address;

  before(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    deployment = await deployCustos({
      deployer: new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider),
      policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 86_400 }],
    });
  });
  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  const operatorWith = (options: { receiptTimeoutMs: number; bumpAfterMs: number }) =>
    new ChainOperator({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      gatekeeper: deployment.contracts.ComplianceGatekeeper,
      revocationRegistry: deployment.contracts.RevocationRegistry,
      operator: new Wallet(ANVIL_DEFAULT_PRIVATE_KEY),
      receiptTimeoutMs: options.receiptTimeoutMs,
      feeBump: { bumpAfterMs: options.bumpAfterMs },
      pollMs: 100,
    });

  /** The operator's transaction waiting in the pool at `nonce`, once it is there. */
  async function pooled(nonce: number): Promise<{ hash: string; maxFeePerGas: bigint }> {
    for (let i = 0; i < 200; i++) {
      const pool = await provider.send('txpool_content', []);
      const entry = Object.entries(pool.pending as Record<string, Record<string, any>>) // eslint-disable-line @typescript-eslint/no-explicit-any
        .find(([from]) => from.toLowerCase() === operatorAddress.toLowerCase())?.[1]?.[String(nonce)];
      if (entry) return { hash: entry.hash, maxFeePerGas: BigInt(entry.maxFeePerGas) };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no pooled transaction at nonce ${nonce}`);
  }

  /** Mines one block whose base fee is above `fee`: the pooled transaction is not in it. */
  async function outbid(fee: bigint): Promise<void> {
    await provider.send('anvil_setNextBlockBaseFeePerGas', [toQuantity(fee * 10n)]);
    await provider.send('evm_mine', []);
  }

  /**
   * Starts a revocation with automine off and waits until its first send is in the pool; `body` decides what the
   * chain does next. Afterwards automine is back on and whatever is still pooled is mined.
   */
  async function withPooledRevocation(
    options: { receiptTimeoutMs: number; bumpAfterMs: number },
    body: (s: {
      chain: ChainOperator;
      uid: string;
      nonce: number;
      first: { hash: string; maxFeePerGas: bigint };
      revoked: Promise<ChainReceipt | null>;
    }) => Promise<void>,
  ): Promise<void> {
    const chain = operatorWith(options);
    const uid = hexlify(randomBytes(32));
    const nonce = await provider.getTransactionCount(operatorAddress, 'latest');
    await provider.send('evm_setAutomine', [false]);
    try {
      const revoked = chain.revoke([uid], 'fee drill');
      revoked.catch(() => undefined); // each body asserts the outcome
      await body({ chain, uid, nonce, first: await pooled(nonce), revoked });
    } finally {
      await provider.send('evm_setAutomine', [true]);
      await provider.send('evm_mine', []);
      chain.destroy();
    }
  }

  it('replaces a stuck revocation with higher fees at the same nonce and returns the receipt of the one mined', async () => {
    await withPooledRevocation({ receiptTimeoutMs: 60_000, bumpAfterMs: 1_000 }, async (s) => {
      await outbid(s.first.maxFeePerGas);
      assert.equal(await provider.getTransactionReceipt(s.first.hash), null, 'the first send is stuck');
      await provider.send('evm_setAutomine', [true]); // the next block includes whatever pays its base fee

      const receipt = (await s.revoked)!;
      assert.notEqual(receipt.txHash, s.first.hash, 'the receipt is the replacement');
      const mined = await provider.getTransaction(receipt.txHash);
      assert.equal(mined!.nonce, s.nonce);
      assert.equal(mined!.blockNumber, receipt.blockNumber);
      assert.ok(mined!.maxFeePerGas! > s.first.maxFeePerGas);
      assert.equal(
        await provider.getTransactionReceipt(s.first.hash),
        null,
        'the first send was never mined',
      );
      assert.equal(await s.chain.registry.read.isRevoked(s.uid), true);
    });
  });

  it('bumps a bounded number of times, then reports the write as lost (503); the next write takes over its nonce', async () => {
    await withPooledRevocation({ receiptTimeoutMs: 4_000, bumpAfterMs: 500 }, async (s) => {
      await assert.rejects(s.revoked, (error: CustosError) => {
        assert.equal(error.code, 'CHAIN_UNAVAILABLE');
        assert.match(error.message, /not mined within 4 s \(4 version\(s\) sent/);
        return true;
      });
      // No block came, so the node's suggestion never rose: exactly three 25% bumps, each rounded up.
      const raise = (fee: bigint) => fee + (fee * 25n + 99n) / 100n;
      const last = await pooled(s.nonce);
      assert.equal(last.maxFeePerGas, raise(raise(raise(s.first.maxFeePerGas))));

      // The version given up stays in the pool (a node such as geth keeps it there when it is priced below the
      // market) and would hold every later nonce behind it: the next write takes its nonce instead.
      const uid = hexlify(randomBytes(32));
      const next = s.chain.revoke([uid], 'after a lost write');
      next.catch(() => undefined);
      for (let i = 0; i < 100 && (await pooled(s.nonce)).hash === last.hash; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await provider.send('evm_mine', []);
      const receipt = (await next)!;
      assert.equal((await provider.getTransaction(receipt.txHash))!.nonce, s.nonce);
      assert.equal(await s.chain.registry.read.isRevoked(uid), true);
      assert.equal(
        await s.chain.registry.read.isRevoked(s.uid),
        false,
        'the write reported lost is not made',
      );
    });
  });

  it('a nonce taken by another transaction from the same account is reported, never recorded as this write', async () => {
    await withPooledRevocation({ receiptTimeoutMs: 60_000, bumpAfterMs: 60_000 }, async (s) => {
      // Another process holding the operator key sends something else at the same nonce, paying more.
      const signed = await new Wallet(ANVIL_DEFAULT_PRIVATE_KEY).signTransaction({
        type: 2,
        chainId: anvil.chainId,
        nonce: s.nonce,
        to: operatorAddress,
        gasLimit: 21_000n,
        maxFeePerGas: s.first.maxFeePerGas * 3n,
        maxPriorityFeePerGas: s.first.maxFeePerGas * 2n,
      });
      await provider.broadcastTransaction(signed);
      await provider.send('evm_mine', []);
      await assert.rejects(s.revoked, (error: CustosError) => {
        assert.equal(error.code, 'CHAIN_UNAVAILABLE');
        assert.match(error.message, new RegExp(`nonce ${s.nonce} was used by another transaction`));
        return true;
      });
      assert.equal(await s.chain.registry.read.isRevoked(s.uid), false);
    });
  });
});
