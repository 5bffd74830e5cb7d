// Summarises a V8 CPU profile (`node --cpu-prof`, or BENCH_CPU_PROF=<dir> for `npm run bench -- attest`): the
// functions with the most self time, and self time per package. `npx tsx scripts/bench/cpuProfile.ts <file>
// [top]`. Prints; asserts nothing.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a script belongs: its npm package, `node:` for Node's own code, or `custos` for ours. */
function packageOf(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node:';
  if (url === '') return '(native)';
  return 'custos';
}

const nameOf = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) => {
  const file = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|scripts)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
};

/**
 * Self time per function and per package, and total time (self and callees) of Custos's own functions, in
 * milliseconds, from the sample timeline.
 */
function summarise(profile: Profile): {
  totalMs: number;
  idleMs: number;
  functions: { name: string; ms: number }[];
  packages: { name: string; ms: number }[];
  ours: { name: string; ms: number }[];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const ours = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)!;
    totalUs += us;
    if (callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = nameOf(callFrame);
    functions.set(name, (functions.get(name) ?? 0) + us);
    const pkg = packageOf(callFrame.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    // Each of our functions on the stack once, however deep the recursion.
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (packageOf(frame.url) === 'custos') onStack.add(nameOf(frame));
    }
    for (const ourName of onStack) ours.set(ourName, (ours.get(ourName) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    functions: sorted(functions),
    packages: sorted(packages),
    ours: sorted(ours),
  };
}

function print(file: string, top: number): void {
  const { totalMs, idleMs, functions, packages, ours } = summarise(
    JSON.parse(readFileSync(file, 'utf8')) as Profile,
  );
  const busyMs = totalMs - idleMs;
  const share = (ms: number) => `${((100 * ms) / busyMs).toFixed(1)}%`;
  console.log(
    `${file}: ${(totalMs / 1000).toFixed(1)} s sampled, ${(busyMs / 1000).toFixed(1)} s busy (${((100 * busyMs) / totalMs).toFixed(0)}%)`,
  );
  console.log('\n| self time (of busy) | function |\n| ---: | --- |');
  for (const f of functions.slice(0, top)) console.log(`| ${share(f.ms)} | ${f.name} |`);
  console.log('\n| self time (of busy) | package |\n| ---: | --- |');
  for (const p of packages.slice(0, top)) console.log(`| ${share(p.ms)} | ${p.name} |`);
  console.log('\n| total time (of busy) | Custos function, with what it calls |\n| ---: | --- |');
  for (const f of ours.slice(0, top)) console.log(`| ${share(f.ms)} | ${f.name} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx scripts/bench/cpuProfile.ts <file.cpuprofile> [top]');
  print(file, Number(top ?? 25));
}
