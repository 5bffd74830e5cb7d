import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ATTESTATION_TYPES } from '../../src/issuer/index.js';
import { JsonRpcProvider, TypedDataEncoder, Wallet, hexlify, randomBytes, verifyTypedData } from 'ethers';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  custosContract,
  policyIdOf,
  startAnvil,
  type AnvilHandle,
} from '../../src/chain/index.js';

const run = promisify(execFile);

describe('deploy script against a running anvil', () => {
  let anvil: AnvilHandle;
  let provider: JsonRpcProvider;
  const custosSigner = Wallet.createRandom();
  let deployment: {
    chainId: number;
    policies: Record<string, string>;
    contracts: Record<string, string>;
  };

  before(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.rpcUrl);
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'custos-deploy-')), 'deployment.json');
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/deploy.ts',
        '--rpc-url',
        anvil.rpcUrl,
        '--signer',
        custosSigner.address,
        '--out',
        out,
      ],
      { env: { ...process.env, DEPLOYER_PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY } },
    );
    deployment = JSON.parse(readFileSync(out, 'utf8'));
  });

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('writes every contract address, each holding code', async () => {
    assert.equal(deployment.chainId, 31337);
    for (const name of [
      'ComplianceGatekeeper',
      'RevocationRegistry',
      'CompliantToken',
      'AgentRegistry',
      'AuditAnchor',
      'CredentialVerifier',
    ]) {
      const address = deployment.contracts[name];
      assert.ok(address, `${name} address`);
      assert.notEqual(await provider.getCode(address), '0x', `${name} has code`);
    }
    assert.equal(deployment.policies['kyc-basic'], policyIdOf('kyc-basic'));
  });

  it('wires the registry to the gatekeeper and trusts the signer', async () => {
    const gatekeeper = custosContract(
      'ComplianceGatekeeper',
      deployment.contracts.ComplianceGatekeeper!,
      provider,
    );
    const registry = custosContract('RevocationRegistry', deployment.contracts.RevocationRegistry!, provider);
    assert.equal(await registry.read.gatekeeper(), deployment.contracts.ComplianceGatekeeper);
    assert.equal(await gatekeeper.read.credentialVerifier(), deployment.contracts.CredentialVerifier);
    const now = (await provider.getBlock('latest'))!.timestamp;
    assert.equal(await gatekeeper.read.isTrustedSigner(custosSigner.address, now), true);
    assert.equal(await gatekeeper.read.isPolicyEnabled(policyIdOf('kyc-basic')), true);
  });

  it('computes the same EIP-712 digest in TypeScript as the contract, and accepts an ethers signature', async () => {
    const gatekeeper = custosContract(
      'ComplianceGatekeeper',
      deployment.contracts.ComplianceGatekeeper!,
      provider,
    );
    const now = (await provider.getBlock('latest'))!.timestamp;
    const message = {
      uid: hexlify(randomBytes(32)),
      subject: Wallet.createRandom().address,
      policyId: policyIdOf('kyc-basic'),
      issuedAt: now,
      expiresAt: now + 3600,
    };
    const domain = {
      name: 'Custos',
      version: '1',
      chainId: deployment.chainId,
      verifyingContract: deployment.contracts.ComplianceGatekeeper!,
    };
    const types = ATTESTATION_TYPES; // the issuer's types: the contract's digest must agree with them
    assert.equal(
      await gatekeeper.read.hashAttestation(message),
      TypedDataEncoder.hash(domain, types, message),
    );

    const signature = await custosSigner.signTypedData(domain, types, message);
    assert.equal(verifyTypedData(domain, types, message, signature), custosSigner.address);
    const relayer = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider);
    await (await gatekeeper.connect(relayer).write.submitAttestation(message, signature)).wait();
    assert.equal(await gatekeeper.read.isCompliant(message.subject, message.policyId), true);
  });
});
