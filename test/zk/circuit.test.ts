import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readR1cs } from 'r1csfile';
import * as snarkjs from 'snarkjs';
import { compileCircuit } from '../../src/zk/setup.js';
import {
  SNARK_FIELD,
  artifactPath,
  driftedArtifacts,
  expectedPublicSignals,
  loadManifest,
  sha256File,
  witnessInput,
  type ProofRequest,
} from '../../src/zk/index.js';
import { KYC_POLICY, NOW, credentialScenario } from './fixtures.js';

type Lc = Record<string, bigint>;
interface WitnessCalculator {
  calculateWitness(input: Record<string, unknown>, sanityCheck: boolean): Promise<bigint[]>;
}

/** The circuit compiled afresh from circuits/credential.circom, with its R1CS and witness calculator. */
describe('credential circuit', () => {
  const build = path.resolve('cache', 'zk-test');
  let r1csFile: string;
  let constraints: [Lc, Lc, Lc][];
  let calculator: WitnessCalculator;

  before(async () => {
    const compiled = await compileCircuit(path.resolve('.'), build);
    r1csFile = compiled.r1cs;
    const r1cs = await readR1cs(r1csFile, { loadConstraints: true, loadMap: false });
    assert.equal(r1cs.prime, SNARK_FIELD, "the field the TypeScript side reduces into is the circuit's");
    const toBig = (lc: Record<string, Uint8Array>): Lc =>
      Object.fromEntries(Object.entries(lc).map(([k, v]) => [k, BigInt(r1cs.F.toString(v))]));
    constraints = r1cs.constraints.map((c: Record<string, Uint8Array>[]) => c.map(toBig) as [Lc, Lc, Lc]);
    await r1cs.curve?.terminate?.();
    // circom's witness calculator is CommonJS; this package is ESM.
    const calculatorFile = path.join(build, 'witness_calculator.cjs');
    copyFileSync(path.join(build, 'credential_js', 'witness_calculator.js'), calculatorFile);
    const builder = createRequire(import.meta.url)(calculatorFile) as (
      wasm: Buffer,
    ) => Promise<WitnessCalculator>;
    calculator = await builder(readFileSync(compiled.wasm));
  });

  // snarkjs keeps its BN254 curve (and its worker threads) in a global; they would keep the process alive.
  after(async () => {
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  });

  const witness = async (secret: bigint, request: ProofRequest) =>
    calculator.calculateWitness(witnessInput(secret, request), true);

  describe('artifacts', () => {
    it('the committed artifacts match the manifest, and the manifest matches the circuit source', async () => {
      assert.deepEqual(driftedArtifacts(), []);
      const manifest = loadManifest();
      assert.equal(
        sha256File(r1csFile),
        manifest.sha256.r1cs,
        'circuits/credential.circom no longer compiles to the committed circuit: run custos zk setup',
      );
    });

    it('keeps the constraint count it was set up with (a drop means a constraint went missing)', () => {
      assert.equal(constraints.length, loadManifest().constraints);
      assert.equal(constraints.length, 11_724);
    });
  });

  it('proves a valid credential with the committed keys; the public signals are what the contract will check', async () => {
    const { secret, request } = await credentialScenario();
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(
      witnessInput(secret, request),
      artifactPath('wasm'),
      artifactPath('zkey'),
    );
    const vkey = JSON.parse(readFileSync(artifactPath('verificationKey'), 'utf8'));
    assert.equal(await snarkjs.groth16.verify(vkey, publicSignals, proof), true);
    assert.deepEqual(publicSignals.map(BigInt), expectedPublicSignals(secret, request));
    const tampered = [...publicSignals];
    tampered[7] = (BigInt(tampered[7]!) + 1n).toString(); // another recipient
    assert.equal(await snarkjs.groth16.verify(vkey, tampered, proof), false);
  });

  describe('a wrong witness fails for each rule', () => {
    const cases: [string, () => Promise<{ secret: bigint; request: ProofRequest }>][] = [
      ['another identity secret', async () => ({ ...(await credentialScenario()), secret: 99n })],
      [
        'a revoked credential',
        async () => {
          const s = await credentialScenario();
          const root = await s.revocation.set(s.credential.credentialId, 1n);
          return {
            secret: s.secret,
            request: { ...s.request, revocationRoot: root, revocationSiblings: await s.revocation.path(1) },
          };
        },
      ],
      ['an issuance root it is not under', async () => mutate({ issuanceRoot: 12345n })],
      ['an expired credential', async () => credentialScenario({ expiresAt: NOW })],
      ['a denied country (Iran)', async () => credentialScenario({ country: 364 })],
      ['no country (0)', async () => credentialScenario({ country: 0 })],
      ['a country code out of range', async () => credentialScenario({ country: 1024 })],
      ['under the minimum age by one day', async () => credentialScenario({ birthYmd: 20_081_119 })],
      [
        'not accredited when the policy requires it',
        async () => credentialScenario({}, { ...KYC_POLICY, requireAccredited: true }),
      ],
      ['a risk tier above the maximum', async () => credentialScenario({ riskTier: 3 })],
      ['accredited not 0 or 1', async () => withInput({ accredited: '2' })],
      ['a policy hash for other parameters', async () => withInput({ minAge: '16' })],
      [
        'a credential id beyond the tree (aliasing the path)',
        async () => withInput({ credentialId: (2n ** 20n + 1n).toString() }),
      ],
      ['a timestamp beyond 40 bits', async () => withInput({ timestamp: (SNARK_FIELD - 1n).toString() })],
      ['a recipient beyond 160 bits', async () => withInput({ recipient: (2n ** 160n).toString() })],
    ];
    for (const [name, make] of cases) {
      it(name, async () => {
        const made = await make();
        const input =
          'input' in made ? (made.input as Record<string, unknown>) : witnessInput(made.secret, made.request);
        await assert.rejects(
          calculator.calculateWitness(input, true),
          /Assert Failed/,
        );
      });
    }

    async function mutate(change: Partial<ProofRequest>) {
      const s = await credentialScenario();
      return { secret: s.secret, request: { ...s.request, ...change } };
    }
    /** A valid input with one signal replaced (the policy's public hash stays that of the real policy). */
    async function withInput(change: Record<string, string>) {
      const s = await credentialScenario();
      return {
        secret: s.secret,
        request: s.request,
        input: { ...witnessInput(s.secret, s.request), ...change },
      };
    }
  });

  it('the valid case at the boundaries passes: 18 today, expiring next second, the maximum risk tier', async () => {
    const { secret, request } = await credentialScenario({
      birthYmd: 20_081_118,
      expiresAt: NOW + 1,
      riskTier: 2,
    });
    assert.ok((await witness(secret, request)).length > 0);
  });

  it('every signal is constrained: changing any one witness value breaks a constraint', async () => {
    const { secret, request } = await credentialScenario();
    const values = await witness(secret, request);
    const evaluate = (lc: Lc) =>
      Object.entries(lc).reduce((sum, [i, k]) => (sum + k * values[Number(i)]!) % SNARK_FIELD, 0n);
    const holds = (c: [Lc, Lc, Lc]) =>
      (evaluate(c[0]) * evaluate(c[1]) - evaluate(c[2])) % SNARK_FIELD === 0n;
    assert.ok(constraints.every(holds), 'the valid witness satisfies every constraint');

    const constraintsOf = new Map<number, [Lc, Lc, Lc][]>();
    for (const c of constraints) {
      for (const wire of new Set(
        [...Object.keys(c[0]), ...Object.keys(c[1]), ...Object.keys(c[2])].map(Number),
      )) {
        constraintsOf.set(wire, [...(constraintsOf.get(wire) ?? []), c]);
      }
    }
    const free: number[] = [];
    for (let wire = 1; wire < values.length; wire++) {
      const original = values[wire]!;
      values[wire] = (original + 1n) % SNARK_FIELD;
      if ((constraintsOf.get(wire) ?? []).every(holds)) free.push(wire);
      values[wire] = original;
    }
    assert.deepEqual(free, [], `wires no constraint pins down: ${free.join(', ')}`);
  });
});
