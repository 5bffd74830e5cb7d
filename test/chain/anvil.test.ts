import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil } from '../../src/chain/index.js';

describe('startAnvil', () => {
  it('keeps chain state across a restart when given a state file', async () => {
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'custos-anvil-')), 'state.json');
    const recipient = Wallet.createRandom().address;

    const first = await startAnvil({ stateFile });
    try {
      const provider = new JsonRpcProvider(first.rpcUrl);
      const wallet = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider);
      await (await wallet.sendTransaction({ to: recipient, value: 12345n })).wait();
      provider.destroy();
    } finally {
      await first.stop();
    }

    const second = await startAnvil({ stateFile });
    try {
      const provider = new JsonRpcProvider(second.rpcUrl);
      assert.equal(await provider.getBalance(recipient), 12345n);
      provider.destroy();
    } finally {
      await second.stop();
    }
  });
});
