// Zero-knowledge credential issuance and revocation latency against the real service, throwaway PostgreSQL and
// the embedded anvil (automine): issuance = screening + tree append + signed root on the gatekeeper; revocation =
// `custos revoke` (through the API) until the new revocation root is on-chain, from when a proof for the revoked
// credential can no longer be made with a current root. Prints figures; asserts nothing.
import { Wallet } from 'ethers';
import { CustosHolderClient, createIdentity } from '@custos/sdk/holder';
import { APPROVED_KYC } from '../../test/helpers/fixtures.js';
import { custos } from '../../test/helpers/cli.js';
import { startTestService } from '../../test/helpers/service.js';

const CREDENTIALS = Number(process.env.BENCH_REVOCATIONS ?? 20);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
};
const figures = (values: number[]) =>
  `p50 ${percentile(values, 0.5).toFixed(0)} ms, p95 ${percentile(values, 0.95).toFixed(0)} ms`;

async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await step();
  return [result, performance.now() - started];
}

export async function runRevocationBenchmark(): Promise<void> {
  const t = await startTestService({ AUDIT_ANCHOR_INTERVAL_SECONDS: '86400' });
  try {
    const officer = await t.key('officer');
    const client = new CustosHolderClient({ url: t.service.url, apiKey: await t.key('dapp') });
    const issuance: number[] = [];
    const uids: string[] = [];
    for (let i = 0; i < CREDENTIALS; i++) {
      const subject = Wallet.createRandom().address;
      await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: APPROVED_KYC });
      const [issued, ms] = await timed(() =>
        client.requestCredential(createIdentity(), { subject, policy: 'kyc-basic' }),
      );
      issuance.push(ms);
      uids.push(issued.uid);
    }
    console.log(`\nzero-knowledge credentials (${CREDENTIALS} each, anvil automine)`);
    console.log(`issuance (screen, append, sign and submit the root, wait for it): ${figures(issuance)}`);

    const api: number[] = [];
    for (const uid of uids.slice(1)) {
      const [response, ms] = await timed(() =>
        t.request('POST', '/v1/revocations', { key: officer, body: { target: uid, reason: 'bench' } }),
      );
      if (response.status !== 200) throw new Error(`revocation failed: ${JSON.stringify(response.body)}`);
      api.push(ms);
    }
    console.log(`revocation through the API until the new root is on-chain: ${figures(api)}`);
    const [cli, cliMs] = await timed(() =>
      custos(['revoke', uids[0]!, '--reason', 'bench'], {
        CUSTOS_URL: t.service.url,
        CUSTOS_OFFICER_KEY: officer,
      }),
    );
    if (cli.code !== 0) throw new Error(`custos revoke failed: ${cli.stderr}`);
    console.log(
      `\`custos revoke\` (a new Node process) until the new root is on-chain: ${cliMs.toFixed(0)} ms`,
    );
    console.log(
      'from then on no proof with the current root exists for the revoked credential; a proof made on the previous root is refused once the 10-minute grace (ZkCredentials.REVOCATION_GRACE) has passed',
    );
  } finally {
    await t.stop();
  }
}
