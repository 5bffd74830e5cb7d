// Zero-knowledge credentials through the real service: a holder's identity, a credential issued to its commitment,
// paths from the API, a local proof, a mint with the proof on anvil; a custodial proof from POST /v1/attest; then
// revocation by an officer and a proof against the old revocation root refused once the grace has passed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, Wallet, type InterfaceAbi } from 'ethers';
import { ANVIL_DEFAULT_PRIVATE_KEY, loadArtifact, policyIdOf } from '../../src/chain/index.js';
import { CustosApiError, CustosHolderClient, createIdentity, proveCredential } from '@custos/sdk/holder';
import {
  EMPTY_TREE_ROOT,
  MemoryNodeStore,
  SparseMerkleTree,
  artifactPath,
  credentialLeaf,
  loadManifest,
  scopeOf,
  ymdOf,
  type ProofRequest,
} from '../../src/zk/index.js';
import { ANVIL_SECOND_PRIVATE_KEY, APPROVED_KYC } from '../helpers/fixtures.js';
import { custos } from '../helpers/cli.js';
import { startTestService, type TestService } from '../helpers/service.js';

const ARTIFACTS = { wasm: artifactPath('wasm'), zkey: artifactPath('zkey') };
const POLICY = 'kyc-basic';

/** The custom error a call reverted with, decoded by whichever contract declares it. */
async function revertOf(call: Promise<unknown>, ...contracts: Contract[]): Promise<string> {
  try {
    await call;
  } catch (error) {
    const data = (error as { data?: string }).data;
    for (const contract of contracts) {
      const parsed = data ? contract.interface.parseError(data) : null;
      if (parsed) return parsed.name;
    }
    throw error;
  }
  throw new Error('the call did not revert');
}

describe('zero-knowledge credentials through the service', () => {
  let t: TestService;
  let provider: JsonRpcProvider;
  let relayer: Wallet;
  let gatekeeper: Contract;
  let registry: Contract;
  let token: Contract;
  let client: CustosHolderClient;
  let officer: string;
  let dapp: string;
  const holder = createIdentity();
  const subject = Wallet.createRandom().address;
  const recipient = Wallet.createRandom().address;
  let issued: Awaited<ReturnType<CustosHolderClient['requestCredential']>>;

  const contract = (name: string, address: string, runner: Wallet | JsonRpcProvider) =>
    new Contract(address, loadArtifact(name as never).abi as InterfaceAbi, runner);

  before(async () => {
    // No background anchoring: the minter below shares the operator's account.
    t = await startTestService({ AUDIT_ANCHOR_INTERVAL_SECONDS: '86400' });
    const { rpcUrl, contracts } = t.service.chain;
    provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
    relayer = new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider);
    gatekeeper = contract('ComplianceGatekeeper', contracts.ComplianceGatekeeper, relayer);
    registry = contract('RevocationRegistry', contracts.RevocationRegistry, provider);
    token = contract('CompliantToken', contracts.CompliantToken!, new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider));
    officer = await t.key('officer');
    dapp = await t.key('dapp');
    client = new CustosHolderClient({ url: t.service.url, apiKey: dapp });
    for (const s of [subject]) {
      assert.equal((await t.request('PUT', `/v1/kyc/${s}`, { key: officer, body: APPROVED_KYC })).status, 200);
    }
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  });

  it('publishes the empty revocation root at start, so proofs can be made before any revocation', async () => {
    const [root, epoch] = await registry.getFunction('currentRoot')();
    assert.equal(BigInt(root), EMPTY_TREE_ROOT);
    assert.equal(Number(epoch), 1);
  });

  it("publishes each policy's parameters, matching the gatekeeper's, and the circuit, to any origin", async () => {
    const zk = await t.request('GET', '/v1/zk');
    assert.equal(zk.status, 200);
    assert.equal(zk.headers.get('access-control-allow-origin'), '*');
    assert.equal(zk.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const kyc = zk.body.policies.find((p: { name: string }) => p.name === POLICY);
    assert.equal(kyc.supported, true);
    assert.equal(BigInt(kyc.policyHash), await gatekeeper.getFunction('zkPolicyHash')(policyIdOf(POLICY)));
    const wasm = await fetch(`${t.service.url}${zk.body.circuit.wasm}`);
    assert.equal(wasm.headers.get('access-control-allow-origin'), '*');
    const digest = createHash('sha256')
      .update(Buffer.from(await wasm.arrayBuffer()))
      .digest('hex');
    assert.equal(digest, loadManifest().sha256.wasm);
  });

  it('issues a credential to the holder commitment with its root signed onto the gatekeeper', async () => {
    issued = await client.requestCredential(holder, { subject, policy: POLICY });
    assert.equal(issued.format, 'groth16');
    assert.equal(issued.credential.identityCommitment, holder.commitment.toString());
    assert.equal(issued.credential.country, 276); // DE, ISO 3166-1 numeric
    assert.equal(issued.credential.birthYmd, 19_900_101);
    assert.equal(issued.credential.riskTier, APPROVED_KYC.riskScore);
    assert.equal(await gatekeeper.getFunction('isRecentIssuanceRoot')(issued.issuanceRoot), true);

    const again = await client.requestCredential(holder, { subject, policy: POLICY });
    assert.equal(again.credentialId, issued.credentialId, 'a fresh credential is reused, not appended');

    const { rows } = await t.db.pool.query(
      `SELECT type FROM audit_events WHERE attestation_uid = $1 ORDER BY seq`,
      [issued.uid],
    );
    assert.deepEqual(
      rows.map((r) => r.type),
      ['credential.issued', 'credential.reused'],
    );
  });

  it('refuses credentials the circuit could not prove, and malformed commitments', async () => {
    const unknown = Wallet.createRandom().address;
    await assert.rejects(client.requestCredential(holder, { subject: unknown, policy: POLICY }), {
      code: 'SCREENING_FAILED',
    });
    for (const identityCommitment of ['0', '-1', 'abc', (2n ** 254n).toString()]) {
      const response = await t.request('POST', '/v1/credentials', {
        key: dapp,
        body: { subject, policy: POLICY, identityCommitment },
      });
      assert.equal(response.status, 400, identityCommitment);
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
    }
    for (const [route, status] of [
      ['/v1/credentials/999999/issuance-path', 404],
      ['/v1/credentials/999999/revocation-path', 404],
      ['/v1/credentials/abc/issuance-path', 400],
      ['/v1/credentials/-1/revocation-path', 400],
    ] as const) {
      assert.equal((await t.request('GET', route)).status, status, route);
    }
    const unauthenticated = await t.request('POST', '/v1/credentials', {
      body: { subject, policy: POLICY, identityCommitment: '1' },
    });
    assert.equal(unauthenticated.status, 401);
  });

  it('concurrent issuances get distinct ids; the tree in PostgreSQL is the one the leaves rebuild', async () => {
    const subjects = Array.from({ length: 6 }, () => Wallet.createRandom().address);
    for (const s of subjects) {
      assert.equal((await t.request('PUT', `/v1/kyc/${s}`, { key: officer, body: APPROVED_KYC })).status, 200);
    }
    const credentials = await Promise.all(
      subjects.map((s) => client.requestCredential(createIdentity(), { subject: s, policy: POLICY })),
    );
    const ids = credentials.map((c) => c.credentialId).sort((a, b) => a - b);
    assert.equal(new Set(ids).size, subjects.length);

    const { rows } = await t.db.pool.query<{ id: number; leaf: string }>(
      'SELECT id, leaf FROM zk_credentials ORDER BY id',
    );
    const rebuilt = new SparseMerkleTree(new MemoryNodeStore());
    const returned = new Map([issued, ...credentials].map((c) => [c.credentialId, c.credential]));
    assert.equal(rows.length, returned.size);
    for (const row of rows) {
      const c = returned.get(row.id)!;
      const leaf = credentialLeaf({
        ...c,
        identityCommitment: BigInt(c.identityCommitment),
        policyTag: BigInt(c.policyTag),
      });
      assert.equal(row.leaf, leaf.toString(), `the leaf of credential ${row.id} commits to what was returned`);
      await rebuilt.set(row.id, leaf);
    }
    const latest = await client.proofRequest(credentials[0]!, { recipient });
    assert.equal(latest.issuanceRoot, await rebuilt.root());
    assert.equal(await gatekeeper.getFunction('isRecentIssuanceRoot')(latest.issuanceRoot), true);
  });

  it('the holder proves locally from the API paths, and CompliantToken mints with the proof once', async () => {
    const request = await client.proofRequest(issued, { recipient });
    const proof = await proveCredential(holder, request, ARTIFACTS);
    await (await token.getFunction('mintWithProof')(recipient, 100n, proof)).wait();
    assert.equal(await token.getFunction('balanceOf')(recipient), 100n);
    assert.equal(await gatekeeper.getFunction('isCompliant')(recipient, policyIdOf(POLICY)), true);
    assert.equal(
      await revertOf(token.getFunction('mintWithProof').staticCall(recipient, 1n, proof), gatekeeper),
      'NullifierAlreadyUsed',
    );
  });

  it('POST /v1/attest with format groth16 proves for a custodial holder; submitProof accepts it', async () => {
    const custodial = Wallet.createRandom().address;
    assert.equal(
      (await t.request('PUT', `/v1/kyc/${custodial}`, { key: officer, body: APPROVED_KYC })).status,
      200,
    );
    const { secret } = createIdentity();
    const response = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject: custodial, policy: POLICY, format: 'groth16', identitySecret: `0x${secret.toString(16)}` },
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const attestation = response.body;
    assert.equal(attestation.format, 'groth16');
    assert.equal(attestation.recipient, custodial);
    assert.equal(attestation.scope.consumer, gatekeeper.target);
    await (
      await gatekeeper.getFunction('submitProof')(attestation.policyId, attestation.recipient, attestation.proof)
    ).wait();
    assert.equal(await gatekeeper.getFunction('isCompliant')(custodial, policyIdOf(POLICY)), true);

    const { rows } = await t.db.pool.query(
      `SELECT payload FROM audit_events WHERE type = 'attestation.issued' AND attestation_uid = $1`,
      [attestation.uid],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].payload.format, 'groth16');
    assert.equal(rows[0].payload.nullifier, attestation.proof.nullifier);
    // The custodial secret was sent to the service: it is in no audit event, in neither spelling.
    const { rows: leaks } = await t.db.pool.query(
      `SELECT seq FROM audit_events WHERE strpos(payload::text, $1) > 0 OR strpos(payload::text, $2) > 0`,
      [secret.toString(), secret.toString(16)],
    );
    assert.deepEqual(leaks, []);
    // The indexer links the on-chain use to the custodial attestation by its nullifier.
    const used = async () =>
      (
        await t.request('GET', `/v1/audit/chain-events?attestationUid=${attestation.uid}`, { key: officer })
      ).body.events.map((e: { event: string; subject: string }) => [e.event, e.subject]);
    for (let i = 0; (await used()).length === 0 && i < 150; i++) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await used(), [['ProofAccepted', custodial]]);
    const metrics = await t.request('GET', '/metrics');
    assert.match(metrics.body, /custos_prover_jobs\{state="busy"\} 0/);
  });

  it('POST /v1/attest with format groth16 refuses bad input with a clear 4xx', async () => {
    const cases: [string, Record<string, unknown>, Record<string, string>?][] = [
      ['no identity secret', { format: 'groth16' }],
      ['a secret of 0', { format: 'groth16', identitySecret: '0' }],
      ['a secret for eip712', { format: 'eip712', identitySecret: '5' }],
      ['a context that is not bytes32', { format: 'groth16', identitySecret: '5', context: '0x01' }],
      ['an Idempotency-Key', { format: 'groth16', identitySecret: '5' }, { 'idempotency-key': 'k1' }],
    ];
    for (const [label, extra, headers] of cases) {
      const response = await t.request('POST', '/v1/attest', {
        key: dapp,
        body: { subject, policy: POLICY, ...extra },
        headers,
      });
      assert.equal(response.status, 400, label);
      assert.equal(response.body.error.code, 'VALIDATION_FAILED', label);
    }
  });

  it('revoking an address revokes its attestations and its credentials', async () => {
    const both = Wallet.createRandom().address;
    assert.equal((await t.request('PUT', `/v1/kyc/${both}`, { key: officer, body: APPROVED_KYC })).status, 200);
    const eip712 = await t.request('POST', '/v1/attest', { key: dapp, body: { subject: both, policy: POLICY } });
    const credential = await client.requestCredential(createIdentity(), { subject: both, policy: POLICY });
    const revoked = await t.request('POST', '/v1/revocations', {
      key: officer,
      body: { target: both, reason: 'left the platform' },
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.deepEqual(revoked.body.revoked, [eip712.body.uid, credential.uid]);
    assert.deepEqual(revoked.body.credentials, [credential.uid]);
    assert.ok(revoked.body.txHash);
    assert.deepEqual(revoked.body.revocationRoot.credentialIds, [credential.credentialId]);
    const path = await t.request('GET', `/v1/credentials/${credential.credentialId}/revocation-path`);
    assert.equal(path.status, 422);
    assert.equal(path.body.error.code, 'CREDENTIAL_UNUSABLE');
  });

  it('revoking the credential publishes a revocation root; a proof on the old root fails after the grace', async () => {
    const beforeRevocation = await client.proofRequest(issued, { recipient });
    const [, epochBefore] = await registry.getFunction('currentRoot')();

    const cli = { CUSTOS_URL: t.service.url, CUSTOS_OFFICER_KEY: officer };
    const revoke = () => custos(['revoke', issued.uid, '--reason', 'credential compromised', '--json'], cli);
    const revoked = await revoke();
    assert.equal(revoked.code, 0, revoked.stderr);
    const result = JSON.parse(revoked.stdout);
    assert.deepEqual(result.revoked, [issued.uid]);
    assert.deepEqual(result.credentials, [issued.uid]);
    assert.equal(result.revocationRoot.epoch, Number(epochBefore) + 1);
    const [root] = await registry.getFunction('currentRoot')();
    assert.equal(root, result.revocationRoot.root);
    const status = await t.request('GET', `/v1/attestations/${issued.uid}`, { key: officer });
    assert.equal(status.body.status, 'revoked');
    assert.equal(status.body.revocation.revocationEpoch, result.revocationRoot.epoch);
    assert.deepEqual(
      status.body.audit.map((e: { type: string }) => e.type),
      ['credential.issued', 'credential.reused', 'credential.revoked'],
    );

    await assert.rejects(client.proofRequest(issued, { recipient }), (error: CustosApiError) => {
      assert.equal(error.code, 'CREDENTIAL_UNUSABLE');
      return true;
    });
    const again = await revoke();
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already revoked/);

    // The holder keeps proving against the pre-revocation root, for a contract of its own (a fresh nullifier
    // scope): accepted within the grace, refused once it has passed.
    const context = policyIdOf('stale-root-check');
    const staleProof = async () => {
      const now = (await provider.getBlock('latest'))!.timestamp;
      const chainId = t.service.chain.chainId;
      const request: ProofRequest = {
        ...beforeRevocation,
        timestamp: now,
        todayYmd: ymdOf(now),
        scope: scopeOf(chainId, relayer.address, context, now),
      };
      return proveCredential(holder, request, ARTIFACTS);
    };
    const consume = gatekeeper.getFunction('consumeProof');
    await consume.staticCall(policyIdOf(POLICY), recipient, context, await staleProof());
    await provider.send('evm_increaseTime', [601]);
    await provider.send('evm_mine', []);
    assert.equal(
      await revertOf(consume.staticCall(policyIdOf(POLICY), recipient, context, await staleProof()), gatekeeper),
      'StaleRevocationRoot',
    );
  });
});
