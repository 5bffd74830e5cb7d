import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError, loadEnv } from '../../src/config/index.js';

const production = {
  DATABASE_URL: 'postgresql://custos:pw@db:5432/custos',
  RPC_URL: 'https://rpc.example.org',
  GATEKEEPER_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  REVOCATION_REGISTRY_ADDRESS: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  OPERATOR_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
  SIGNER: 'aws-kms',
  KMS_KEY_ID: 'alias/custos',
  AWS_REGION: 'eu-central-1',
};

describe('loadEnv', () => {
  it('defaults to the embedded development setup', () => {
    const env = loadEnv({});
    assert.equal(env.PORT, 8080);
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.RPC_URL, undefined);
  });

  it('accepts a complete production configuration and checksums addresses', () => {
    const env = loadEnv(production);
    assert.equal(env.GATEKEEPER_ADDRESS, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
    assert.equal(env.SIGNER, 'aws-kms');
  });

  const cases: [string, Record<string, string>, RegExp][] = [
    ['a non-numeric port', { PORT: 'eighty' }, /^invalid configuration: PORT must be a number$/],
    ['an out-of-range port', { PORT: '70000' }, /^invalid configuration: PORT must be at most 65535$/],
    [
      'a non-postgres database URL',
      { DATABASE_URL: 'mysql://x' },
      /^invalid configuration: DATABASE_URL must be/,
    ],
    ['an unknown signer', { SIGNER: 'yubikey' }, /^invalid configuration: SIGNER /],
    [
      'a zero gatekeeper address',
      { ...production, GATEKEEPER_ADDRESS: `0x${'0'.repeat(40)}` },
      /GATEKEEPER_ADDRESS must be a non-zero 0x address/,
    ],
    [
      'a bad checksum',
      { ...production, GATEKEEPER_ADDRESS: '0x5FbDB2315678afecb367f032d93F642f64180aA3' },
      /GATEKEEPER_ADDRESS must be a non-zero 0x address/,
    ],
    [
      'RPC_URL without a gatekeeper',
      { RPC_URL: 'http://127.0.0.1:8545' },
      /^invalid configuration: GATEKEEPER_ADDRESS is required when RPC_URL is set$/,
    ],
    [
      'aws-kms without a key id',
      { ...production, KMS_KEY_ID: '' },
      /^invalid configuration: KMS_KEY_ID is required when SIGNER=aws-kms$/,
    ],
    [
      'pkcs11 without a PIN',
      { SIGNER: 'pkcs11', PKCS11_MODULE: '/m.so', PKCS11_KEY_LABEL: 'k' },
      /PKCS11_PIN is required when SIGNER=pkcs11/,
    ],
    [
      'RPC_URL without any operator key',
      { ...production, OPERATOR_PRIVATE_KEY: '' },
      /^invalid configuration: OPERATOR_KMS_KEY_ID \(or OPERATOR_PKCS11_KEY_LABEL, or OPERATOR_PRIVATE_KEY\) is required when RPC_URL is set/,
    ],
    [
      'a short webhook secret',
      { KYC_WEBHOOK_SECRET: 'short' },
      /KYC_WEBHOOK_SECRET must be at least 32 characters/,
    ],
    [
      'an HMAC algorithm for regulator tokens',
      {
        REGULATOR_JWT_ISSUER: 'i',
        REGULATOR_JWT_AUDIENCE: 'a',
        REGULATOR_JWKS_URL: 'https://idp/jwks',
        REGULATOR_JWT_ALGORITHMS: 'RS256,HS256',
      },
      /REGULATOR_JWT_ALGORITHMS must list asymmetric algorithms only/,
    ],
    [
      'a regulator issuer without a key',
      { REGULATOR_JWT_ISSUER: 'i', REGULATOR_JWT_AUDIENCE: 'a' },
      /REGULATOR_JWKS_URL or REGULATOR_JWT_PUBLIC_KEY is required for regulator tokens/,
    ],
  ];
  for (const [name, env, message] of cases) {
    it(`stops on ${name} with one line naming the variable`, () => {
      assert.throws(
        () => loadEnv(env),
        (error: Error) =>
          error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'),
      );
    });
  }

  it('npm start stops on invalid configuration with one line naming the variable', async () => {
    const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'eighty' },
    }).catch((error: { code: number; stderr: string }) => error);
    assert.equal((result as { code: number }).code, 1);
    assert.equal(
      (result as { stderr: string }).stderr,
      'custos: invalid configuration: PORT must be a number\n',
    );
  });
});
