// The contract reference, from the NatSpec the compiler keeps in forge's out/ (metadata.output.userdoc and devdoc)
// and the ABIs, for every contract @custos/contracts ships.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ABI_ONLY_CONTRACTS, DEPLOYED_CONTRACTS } from '../contracts-package.js';
import { code, generatedFile } from './markdown.js';

interface AbiParameter {
  name: string;
  type: string;
  internalType?: string;
  components?: AbiParameter[];
}
interface AbiItem {
  type: string;
  name?: string;
  inputs?: AbiParameter[];
  outputs?: AbiParameter[];
  stateMutability?: string;
}
interface Doc {
  notice?: string;
  details?: string;
  params?: Record<string, string>;
  returns?: Record<string, string>;
}
interface NatSpec {
  title?: string;
  notice?: string;
  details?: string;
  methods?: Record<string, Doc>;
  events?: Record<string, Doc>;
  errors?: Record<string, Doc[]>;
  stateVariables?: Record<string, Doc & { return?: string }>;
}

/** The canonical type of a parameter, as selectors and NatSpec keys spell it: tuples as `(t1,t2)`. */
const canonical = (p: AbiParameter): string =>
  p.type.startsWith('tuple') ? `(${p.components!.map(canonical).join(',')})${p.type.slice(5)}` : p.type;
/** The type a reader knows: the struct's or contract's own name, else the ABI type. */
const readable = (p: AbiParameter): string =>
  p.internalType?.replace(/^(struct|contract|enum) /, '').replace(/^.*\./, '') ?? p.type;
const parameters = (ps: AbiParameter[] = []) =>
  ps.map((p) => [readable(p), p.name].filter(Boolean).join(' ')).join(', ');

const oneLine = (text?: string) => text?.replace(/\s+/g, ' ').trim();

function describe(doc: Doc, item: AbiItem): string {
  const lines = [oneLine(doc.notice), oneLine(doc.details)].filter(Boolean) as string[];
  for (const input of item.inputs ?? []) {
    const text = doc.params?.[input.name];
    if (text) lines.push(`- ${code(input.name)}: ${oneLine(text)}`);
  }
  Object.entries(doc.returns ?? {}).forEach(([name, text]) =>
    lines.push(`- returns${/^_\d+$/.test(name) ? '' : ` ${code(name)}`}: ${oneLine(text)}`),
  );
  return lines.join('\n');
}

function renderContract(outDir: string, name: string): string {
  const artifact = JSON.parse(readFileSync(path.join(outDir, `${name}.sol`, `${name}.json`), 'utf8')) as {
    abi: AbiItem[];
    metadata: {
      output: { userdoc: NatSpec; devdoc: NatSpec };
      settings: { compilationTarget: Record<string, string> };
    };
  };
  const { userdoc, devdoc } = artifact.metadata.output;
  const [source] = Object.keys(artifact.metadata.settings.compilationTarget);
  const parts = [
    `## ${name}`,
    [`Source: \`${source}\`.`, oneLine(devdoc.title), oneLine(userdoc.notice), oneLine(devdoc.details)]
      .filter(Boolean)
      .join(' '),
  ];
  const section = (kind: 'function' | 'event' | 'error', heading: string) => {
    const items = artifact.abi
      .filter((item) => item.type === kind)
      .sort((a, b) => a.name!.localeCompare(b.name!));
    if (!items.length) return;
    parts.push(`### ${heading}`);
    for (const item of items) {
      const key = `${item.name}(${(item.inputs ?? []).map(canonical).join(',')})`;
      const doc: Doc =
        kind === 'error'
          ? { ...userdoc.errors?.[key]?.[0], ...devdoc.errors?.[key]?.[0] }
          : kind === 'event'
            ? { ...userdoc.events?.[key], ...devdoc.events?.[key] }
            : { ...userdoc.methods?.[key], ...devdoc.methods?.[key], ...stateVariable(devdoc, item) };
      const returns = item.outputs?.length ? ` returns (${parameters(item.outputs)})` : '';
      const mutability =
        item.stateMutability && item.stateMutability !== 'nonpayable' ? ` ${item.stateMutability}` : '';
      parts.push(
        `#### \`${item.name}(${parameters(item.inputs)})${mutability}${returns}\`\n\n${describe(doc, item)}`.trim(),
      );
    }
  };
  section('function', 'Functions');
  section('event', 'Events');
  section('error', 'Errors');
  return parts.join('\n\n');
}

/** A public state variable's getter is documented on the variable. */
function stateVariable(devdoc: NatSpec, item: AbiItem): Doc {
  const doc = devdoc.stateVariables?.[item.name!];
  return doc ? { details: doc.details ?? doc.return } : {};
}

export function renderContracts(outDir: string): string {
  const names = [...DEPLOYED_CONTRACTS, ...ABI_ONLY_CONTRACTS];
  return generatedFile(
    'Contract reference',
    "the contracts' NatSpec and ABIs (forge's out/, compiled from contracts/src)",
    [
      `The contracts @custos/contracts ships (${names.map((n) => `[${n}](#${n.toLowerCase()})`).join(', ')}): every function, event and error with its NatSpec. What they enforce and why: [trust model](../explanation/trust-model.md); gas: [performance](../explanation/performance.md#gas).`,
      ...names.map((name) => renderContract(outDir, name)),
    ],
  );
}
