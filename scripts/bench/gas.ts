// Gas figures from forge's gas report over GasBenchmarkTest (each call its own transaction, cold storage).
// Prints them with the targets; asserts nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface FunctionGas {
  median: number;
}
interface ContractReport {
  contract: string;
  functions: Record<string, FunctionGas>;
}

function gasOf(report: ContractReport[], contract: string, signature: string): number {
  const entry = report.find((c) => c.contract.endsWith(`:${contract}`))?.functions[signature];
  if (!entry) throw new Error(`gas report has no ${contract}.${signature}`);
  return entry.median;
}

export function runGasBenchmark(): void {
  const json = execFileSync(
    'npx',
    ['forge', 'test', '--match-contract', 'GasBenchmarkTest', '--gas-report', '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const report = JSON.parse(json.slice(json.indexOf('['))) as ContractReport[];
  // Written by the same run through vm.snapshotValue: the transaction minus its 21,000 + calldata intrinsic cost.
  const snapshot = JSON.parse(readFileSync('snapshots/GasBenchmarkTest.json', 'utf8')) as Record<
    string,
    string
  >;

  const submit = gasOf(
    report,
    'ComplianceGatekeeper',
    'submitAttestation((bytes32,address,bytes32,uint64,uint64),bytes)',
  );
  const submitExecution = Number(snapshot['submitAttestation execution (tx minus intrinsic)']);
  const gated = gasOf(report, 'CompliantToken', 'transfer(address,uint256)');
  const plain = gasOf(report, 'PlainToken', 'transfer(address,uint256)');
  const rows: [string, number | string, string][] = [
    ['ComplianceGatekeeper.submitAttestation (transaction)', submit, ''],
    ['ComplianceGatekeeper.submitAttestation (execution)', submitExecution, '<= 60,000'],
    [
      'ComplianceGatekeeper.isCompliant (view call)',
      gasOf(report, 'ComplianceGatekeeper', 'isCompliant(address,bytes32)'),
      '',
    ],
    ['CompliantToken.transfer (gated)', gated, ''],
    ['PlainToken.transfer (plain OpenZeppelin ERC-20)', plain, ''],
    ['gated transfer overhead', gated - plain, '<= 10,000'],
    // Snapshots of GasBenchmarkTest: the first leaf of a batch verifies and stores the root's signer, later ones do not.
    ...['first', 'later'].flatMap((which) =>
      ['16 leaves', '256 leaves'].map((size): [string, number, string] => [
        `ComplianceGatekeeper.submitBatchedAttestation, ${which} leaf of ${size} (transaction)`,
        Number(snapshot[`submitBatchedAttestation ${which} (${size})`]),
        '',
      ]),
    ),
    [
      'CompliantToken.mintWithAttestation',
      gasOf(
        report,
        'CompliantToken',
        'mintWithAttestation((bytes32,address,bytes32,uint64,uint64),bytes,uint256)',
      ),
      '',
    ],
    ['AgentRegistry.execute', gasOf(report, 'AgentRegistry', 'execute(uint256,bytes32)'), ''],
    ['AuditAnchor.anchor (one batch)', gasOf(report, 'AuditAnchor', 'anchor(uint64,uint64,bytes32)'), ''],
  ];
  // The zero-knowledge path, with real proofs (snapshots written by ZkCredentialsTest, whole transactions).
  execFileSync('npx', ['forge', 'test', '--match-contract', 'ZkCredentialsTest'], { stdio: 'ignore' });
  const zk = JSON.parse(readFileSync('snapshots/ZkCredentialsTest.json', 'utf8')) as Record<string, string>;
  rows.push(
    [
      'CredentialVerifier.verifyProof (Groth16, 8 public signals)',
      Number(zk['CredentialVerifier.verifyProof']),
      '< 300,000',
    ],
    ['ComplianceGatekeeper.submitProof (checks, nullifier, record)', Number(zk.submitProof), ''],
    ['CompliantToken.mintWithProof', Number(zk.mintWithProof), ''],
    ['AgentRegistry.executeWithProof', Number(zk.executeWithProof), ''],
  );
  console.log(
    '\nGas (forge gas report, isolated transactions; "transaction" includes the 21,000 base and calldata)',
  );
  console.log('| measurement | gas | target |\n| --- | ---: | --- |');
  for (const [name, gas, target] of rows)
    console.log(`| ${name} | ${gas.toLocaleString('en-US')} | ${target} |`);
}
