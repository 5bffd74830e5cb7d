import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { devCredentials, devCredentialsFile, type DevCredentials } from '@custos/sdk/dev';

const STORED: DevCredentials = {
  url: 'http://127.0.0.1:8080',
  apiKey: 'cst_dapp',
  officerKey: 'cst_officer',
  regulatorKey: 'cst_regulator',
  adminKey: 'cst_admin',
  executorKey: 'cst_executor',
  rpcUrl: 'http://127.0.0.1:8545',
  chainId: 31337,
  contracts: {
    ComplianceGatekeeper: '0x1111111111111111111111111111111111111111',
    RevocationRegistry: '0x2222222222222222222222222222222222222222',
    CompliantToken: '0x3333333333333333333333333333333333333333',
    AgentRegistry: '0x4444444444444444444444444444444444444444',
  },
};

describe('@custos/sdk/dev: the development credentials', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'custos-dev-'));
  const example = path.join(root, 'examples', 'node-viem');
  mkdirSync(example, { recursive: true });
  mkdirSync(path.join(root, '.custos'));
  const file = path.join(root, '.custos', 'dev-credentials.json');
  writeFileSync(file, JSON.stringify(STORED));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds the file npm start wrote in a folder above, or in CUSTOS_DATA_DIR', () => {
    assert.equal(devCredentialsFile({}, example), file);
    assert.deepEqual(devCredentials({ env: {}, cwd: example }), STORED);
    assert.equal(
      devCredentialsFile({ CUSTOS_DATA_DIR: 'elsewhere' }, root),
      path.join(root, 'elsewhere', 'dev-credentials.json'),
    );
  });

  it('lets the environment override each value, and replace the file when it sets them all', () => {
    const env = {
      CUSTOS_URL: 'https://custos.example',
      CUSTOS_API_KEY: 'cst_other',
      CUSTOS_OFFICER_KEY: 'cst_other_officer',
      CUSTOS_RPC_URL: 'https://rpc.example',
      CUSTOS_CHAIN_ID: '11155111',
      CUSTOS_GATEKEEPER: '0x5555555555555555555555555555555555555555',
      CUSTOS_TOKEN: '0x6666666666666666666666666666666666666666',
    };
    const overridden = devCredentials({ env: { CUSTOS_URL: env.CUSTOS_URL }, cwd: example });
    assert.deepEqual(overridden, { ...STORED, url: env.CUSTOS_URL });
    const nowhere = path.join(root, 'nowhere');
    const fromEnv = devCredentials({ env: { ...env, CUSTOS_DATA_DIR: nowhere }, cwd: root });
    assert.equal(fromEnv.chainId, 11155111);
    assert.equal(fromEnv.contracts.CompliantToken, env.CUSTOS_TOKEN);
    assert.throws(
      () => devCredentials({ env: { CUSTOS_DATA_DIR: nowhere, CUSTOS_URL: env.CUSTOS_URL }, cwd: root }),
      /no .*dev-credentials\.json: start Custos with `npm start`.*set CUSTOS_API_KEY, CUSTOS_OFFICER_KEY, CUSTOS_RPC_URL, CUSTOS_CHAIN_ID, CUSTOS_GATEKEEPER, CUSTOS_TOKEN$/,
    );
  });
});
