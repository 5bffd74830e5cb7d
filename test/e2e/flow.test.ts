import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, NonceManager, Wallet, parseEther } from 'ethers';
import { ANVIL_DEFAULT_PRIVATE_KEY, loadArtifact } from '../../src/chain/index.js';
import { approveWithCli, custos } from '../helpers/cli.js';
import { startEmbedded, stopChild as stop } from '../helpers/embedded.js';

describe('end to end on embedded defaults', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-e2e-'));
  chmodSync(dataDir, 0o755);
  let running: ChildProcess | undefined;
  after(async () => {
    await stop(running);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('KYC by CLI, attest, mintWithAttestation, revoke by CLI, the next transfer fails; a restart keeps it all', async () => {
    const first = await startEmbedded(dataDir);
    running = first.child;
    const creds = first.credentials;
    assert.deepEqual(Object.keys(creds).sort(), [
      'adminKey',
      'apiKey',
      'chainId',
      'contracts',
      'executorKey',
      'officerKey',
      'regulatorKey',
      'rpcUrl',
      'url',
    ]);
    const cliEnv = { CUSTOS_DATA_DIR: dataDir }; // the CLI finds the server and officer key in dev-credentials.json

    const provider = new JsonRpcProvider(creds.rpcUrl, undefined, { cacheTimeout: -1 });
    const minter = new NonceManager(new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider));
    const holder = Wallet.createRandom().connect(provider);
    const recipient = Wallet.createRandom().connect(provider);
    const token = new Contract(creds.contracts.CompliantToken, loadArtifact('CompliantToken').abi, minter);
    const gatekeeper = new Contract(
      creds.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      minter,
    );
    await (await minter.sendTransaction({ to: holder.address, value: parseEther('1') })).wait();

    const attest = async (subject: string) => {
      await approveWithCli(subject, cliEnv);
      const response = await fetch(`${creds.url}/v1/attest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${creds.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subject, policy: 'kyc-basic', format: 'eip712' }),
      });
      assert.equal(response.status, 200);
      return (await response.json()) as { uid: string; message: object; signature: string };
    };

    const forHolder = await attest(holder.address);
    await (
      await token.getFunction('mintWithAttestation')(forHolder.message, forHolder.signature, 1_000n)
    ).wait();
    assert.equal(await token.getFunction('balanceOf')(holder.address), 1_000n);
    const forRecipient = await attest(recipient.address);
    await (
      await gatekeeper.getFunction('submitAttestation')(forRecipient.message, forRecipient.signature)
    ).wait();

    const asHolder = token.connect(holder) as Contract;
    await (await asHolder.getFunction('transfer')(recipient.address, 100n)).wait();
    assert.equal(await token.getFunction('balanceOf')(recipient.address), 100n);

    const revoked = await custos(
      ['revoke', forHolder.uid, '--reason', 'KYC provider flagged identity fraud'],
      cliEnv,
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    await assert.rejects(
      asHolder.getFunction('transfer')(recipient.address, 100n),
      (error: { data?: string }) => {
        return token.interface.parseError(error.data!)?.name === 'SenderNotCompliant';
      },
    );
    assert.equal((await custos(['audit', 'verify'], cliEnv)).code, 0);
    provider.destroy();

    // Stopped as a process manager or a terminal does: the signal reaches the process twice (the group's, and npm's
    // forwarding). It drains once and exits cleanly; a second signal a second later would end it at once.
    let stderr = '';
    first.child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGTERM');
    first.child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.doesNotMatch(stderr, /again, exiting/);

    // A second start reuses the database, the chain state, the contracts and the keys.
    const second = await startEmbedded(dataDir);
    running = second.child;
    assert.deepEqual(second.credentials.contracts, creds.contracts);
    assert.equal(second.credentials.apiKey, creds.apiKey);
    const again = new JsonRpcProvider(second.credentials.rpcUrl);
    const tokenAgain = new Contract(
      creds.contracts.CompliantToken,
      loadArtifact('CompliantToken').abi,
      again,
    );
    assert.equal(await tokenAgain.getFunction('balanceOf')(recipient.address), 100n);
    again.destroy();
    const status = await fetch(`${second.credentials.url}/v1/attestations/${forHolder.uid}`, {
      headers: { authorization: `Bearer ${creds.apiKey}` },
    });
    assert.equal(((await status.json()) as { status: string }).status, 'revoked');
  });

  it('a start after a crash (SIGKILL) stops what the crashed run left behind and keeps the chain state', async () => {
    await stop(running);
    const first = await startEmbedded(dataDir);
    const provider = new JsonRpcProvider(first.credentials.rpcUrl, undefined, { cacheTimeout: -1 });
    const funder = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider);
    const marker = Wallet.createRandom().address;
    await (await funder.sendTransaction({ to: marker, value: 4242n })).wait();
    provider.destroy();

    first.child.kill('SIGKILL'); // no chance to stop its PostgreSQL and anvil
    await new Promise((resolve) => first.child.once('exit', resolve));
    const second = await startEmbedded(dataDir);
    running = second.child;
    const again = new JsonRpcProvider(second.credentials.rpcUrl);
    assert.equal(
      await again.getBalance(marker),
      4242n,
      'the orphaned anvil wrote its state before the new one loaded it',
    );
    again.destroy();
    const ready = await fetch(`${second.credentials.url}/readyz`);
    assert.equal(ready.status, 200);
  });
});
