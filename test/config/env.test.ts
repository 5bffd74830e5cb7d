import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { availableParallelism } from 'node:os';
import { ConfigError, describeConfiguration, loadEnv, workerCount } from '../../src/config/index.js';

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

  it('WORKERS: one per core on embedded defaults, one with a configured database, a number or auto when set', () => {
    const cores = availableParallelism();
    assert.equal(workerCount(loadEnv({})), cores);
    assert.equal(workerCount(loadEnv(production)), 1);
    assert.equal(workerCount(loadEnv({ ...production, WORKERS: 'auto' })), cores);
    assert.equal(workerCount(loadEnv({ WORKERS: '1' })), 1);
    assert.equal(workerCount(loadEnv({ ...production, WORKERS: '3' })), 3);
    for (const bad of ['0', '65', '1.5', 'all', '-2'])
      assert.throws(() => loadEnv({ WORKERS: bad }), /^ConfigError: invalid configuration: WORKERS /, bad);
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
      { RPC_URL: 'http://127.0.0.1:8545', DATABASE_URL: production.DATABASE_URL },
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
  const localSigner = {
    ...production,
    SIGNER: 'local',
    LOCAL_KEYSTORE_FILE: '/keys/signer.json',
    LOCAL_KEYSTORE_PASSWORD: 'a keystore password',
  };
  cases.push(
    [
      'RPC_URL without DATABASE_URL (embedded PostgreSQL is never a fallback)',
      { ...production, DATABASE_URL: '' },
      /^invalid configuration: DATABASE_URL is required when RPC_URL is set: the embedded PostgreSQL is for development/,
    ],
    [
      'SIGNER=local against a configured chain',
      localSigner,
      /^invalid configuration: SIGNER=local is refused when RPC_URL is set: .*\(or set ALLOW_LOCAL_SIGNER=true on purpose\)$/,
    ],
    [
      'ALLOW_LOCAL_SIGNER without a keystore file',
      { ...localSigner, ALLOW_LOCAL_SIGNER: 'true', LOCAL_KEYSTORE_FILE: '' },
      /^invalid configuration: LOCAL_KEYSTORE_FILE is required when SIGNER=local and RPC_URL is set/,
    ],
    [
      'a switch that is not true or false',
      { ALLOW_LOCAL_SIGNER: 'yes' },
      /ALLOW_LOCAL_SIGNER must be true or false$/,
    ],
    [
      'DATABASE_URL with the embedded chain',
      { DATABASE_URL: production.DATABASE_URL },
      /^invalid configuration: RPC_URL is required when DATABASE_URL is set: the embedded chain is a throwaway development chain \(set ALLOW_EMBEDDED_CHAIN=true/,
    ],
    [
      'a misspelled setting',
      { ...production, DATABSE_URL: production.DATABASE_URL },
      /^invalid configuration: DATABSE_URL is not a Custos setting; did you mean DATABASE_URL\?$/,
    ],
    [
      'a swapped pair of letters',
      { SINGER: 'aws-kms' },
      /SINGER is not a Custos setting; did you mean SIGNER\?$/,
    ],
    [
      'a CUSTOS_ variable close to one',
      { CUSTOS_DATADIR: '/data' },
      /CUSTOS_DATADIR is not a Custos setting; did you mean CUSTOS_DATA_DIR\?$/,
    ],
    [
      'an unknown CUSTOS_ variable',
      { CUSTOS_FEATURE_FLAGS: 'x' },
      /^invalid configuration: CUSTOS_FEATURE_FLAGS is not a Custos setting \(the CUSTOS_ prefix is reserved/,
    ],
    [
      'a shutdown bound of zero',
      { SHUTDOWN_TIMEOUT_SECONDS: '0' },
      /SHUTDOWN_TIMEOUT_SECONDS must be at least 1$/,
    ],
  );
  for (const [name, env, message] of cases) {
    it(`stops on ${name} with one line naming the variable`, () => {
      assert.throws(
        () => loadEnv(env),
        (error: Error) =>
          error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'),
      );
    });
  }

  it('accepts the opt-ins: a local signer with a keystore on a configured chain, a database with the embedded chain', () => {
    assert.equal(loadEnv({ ...localSigner, ALLOW_LOCAL_SIGNER: 'true' }).ALLOW_LOCAL_SIGNER, true);
    const env = loadEnv({ DATABASE_URL: production.DATABASE_URL, ALLOW_EMBEDDED_CHAIN: 'true' });
    assert.equal(env.ALLOW_EMBEDDED_CHAIN, true);
    assert.equal(env.ALLOW_LOCAL_SIGNER, false);
  });

  it('leaves ordinary variables alone: the shell, npm, Kubernetes service links, AWS, the CLI', () => {
    const unrelated = {
      PATH: '/usr/bin',
      HOME: '/home/node',
      HOSTNAME: 'custos-7d9f',
      PWD: '/app',
      TERM: 'xterm',
      NODE_ENV: 'production',
      NODE_VERSION: '20.20.2',
      npm_config_cache: '/root/.npm',
      npm_package_name: 'custos',
      PGPORT: '5432',
      PGHOST: 'db',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_DEFAULT_REGION: 'eu-central-1',
      CUSTOS_SERVICE_HOST: '10.0.0.7',
      CUSTOS_SERVICE_PORT: '8080',
      CUSTOS_SERVICE_PORT_HTTP: '8080',
      CUSTOS_PORT: 'tcp://10.0.0.7:8080',
      CUSTOS_PORT_8080_TCP: 'tcp://10.0.0.7:8080',
      CUSTOS_PORT_8080_TCP_ADDR: '10.0.0.7',
      CUSTOS_URL: 'http://127.0.0.1:8080',
      CUSTOS_OFFICER_KEY: 'ck_x',
      SOFTHSM2_CONF: '/etc/softhsm2.conf',
    };
    assert.equal(loadEnv({ ...production, ...unrelated }).SIGNER, 'aws-kms');
    assert.doesNotThrow(() => loadEnv({ ...process.env, ALLOW_EMBEDDED_CHAIN: 'true' }));
  });

  it('the effective configuration shows every setting with its secrets redacted', () => {
    const secrets = {
      DATABASE_URL: 'postgresql://custos:db-password-1@db:5432/custos?sslmode=require',
      RPC_URL: 'https://mainnet.example.org/v3/rpc-api-key-2?apikey=rpc-api-key-3',
      OPERATOR_PRIVATE_KEY: `0x${'ab'.repeat(32)}`,
      SIGNER: 'pkcs11',
      PKCS11_MODULE: '/usr/lib/hsm.so',
      PKCS11_PIN: 'hsm-pin-4',
      PKCS11_KEY_LABEL: 'custos-signer',
      LOCAL_KEYSTORE_PASSWORD: 'keystore-password-5',
      KYC_WEBHOOK_SECRET: 'webhook-secret-6-that-is-long-enough-000',
    };
    const described = describeConfiguration(loadEnv({ ...production, ...secrets }));
    const text = JSON.stringify(described);
    for (const secret of [
      'db-password-1',
      'rpc-api-key',
      'abababab',
      'hsm-pin-4',
      'keystore-password-5',
      'webhook-secret-6',
    ])
      assert.ok(!text.includes(secret), `${secret} must not be logged`);
    assert.deepEqual(
      {
        database: described.database,
        chain: described.chain,
        signer: described.signer,
        operator: described.operator,
      },
      { database: 'external', chain: 'external', signer: 'pkcs11', operator: 'private-key' },
    );
    const settings = described.settings as Record<string, unknown>;
    assert.equal(settings.DATABASE_URL, 'postgresql://custos:[redacted]@db:5432/custos?sslmode=require');
    assert.equal(settings.RPC_URL, 'https://mainnet.example.org/[redacted]?apikey=[redacted]');
    assert.equal(settings.PKCS11_MODULE, '/usr/lib/hsm.so');
    assert.equal(settings.SHUTDOWN_TIMEOUT_SECONDS, 10, 'defaults are shown');
  });

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
