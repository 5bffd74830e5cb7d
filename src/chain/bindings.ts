import {
  Contract,
  ContractFactory,
  Interface,
  type BigNumberish,
  type ContractRunner,
  type ContractTransaction,
  type ContractTransactionResponse,
  type InterfaceAbi,
  type Log,
  type Signer,
} from 'ethers';
import type {
  Abi,
  AbiFunction,
  AbiParameter,
  AbiParameterToPrimitiveType,
  AbiParametersToPrimitiveTypes,
  ExtractAbiEvent,
  ExtractAbiEventNames,
  ExtractAbiFunction,
  ExtractAbiFunctionNames,
} from 'abitype';
import { custosErrorsAbi, deployedContracts } from '@custos/contracts';

/**
 * Typed bindings over ethers v6, derived from @custos/contracts' `as const` ABIs: a function name, an argument count
 * or an argument's kind that does not match the ABI is a compile error, and results are typed. ethers stays the
 * transaction layer (signers, fee bumps); these only type what goes in and out of it.
 */

/** The contracts Custos deploys, by their Solidity names. */
export type ContractName = keyof typeof deployedContracts;
export type ContractAbi<N extends ContractName> = (typeof deployedContracts)[N]['abi'];

/** What ethers accepts for a value abitype types strictly: any integer form; addresses and bytes as hex strings. */
type Loose<T> = T extends bigint | number
  ? BigNumberish
  : T extends `0x${string}`
    ? string
    : T extends string | boolean
      ? T
      : { [K in keyof T]: Loose<T[K]> };
/** What ethers returns: every integer as a bigint (abitype types the small ones as numbers). */
type Settled<T> = T extends number
  ? bigint
  : T extends bigint | string | boolean
    ? T
    : { [K in keyof T]: Settled<T[K]> };

/** A tuple of arguments, as a rest parameter's type (TypeScript cannot see that a mapped generic one is a tuple). */
type Rest<T> = T extends readonly unknown[] ? T : never;

type FunctionOf<TAbi extends Abi, N extends string> = ExtractAbiFunction<
  TAbi,
  N & ExtractAbiFunctionNames<TAbi>
>;
export type ArgsOf<TAbi extends Abi, N extends string> = Rest<
  Loose<AbiParametersToPrimitiveTypes<FunctionOf<TAbi, N>['inputs'], 'inputs'>>
>;
type Outputs<TAbi extends Abi, N extends string> = AbiParametersToPrimitiveTypes<
  FunctionOf<TAbi, N>['outputs'],
  'outputs'
>;
/** No output: void; one: that value; several: ethers' Result, read as a tuple. */
export type ReturnOf<TAbi extends Abi, N extends string> =
  Outputs<TAbi, N> extends readonly []
    ? void
    : Outputs<TAbi, N> extends readonly [infer Only]
      ? Settled<Only>
      : Settled<Outputs<TAbi, N>>;

type ReadName<TAbi extends Abi> = ExtractAbiFunctionNames<TAbi, 'view' | 'pure'>;
type WriteName<TAbi extends Abi> = ExtractAbiFunctionNames<TAbi, 'nonpayable' | 'payable'>;

type ConstructorInputs<TAbi extends Abi> =
  Extract<TAbi[number], { type: 'constructor' }> extends { inputs: infer I extends readonly AbiParameter[] }
    ? I
    : readonly [];
export type ConstructorArgsOf<TAbi extends Abi> = Rest<
  Loose<AbiParametersToPrimitiveTypes<ConstructorInputs<TAbi>, 'inputs'>>
>;

export interface CustosContract<TAbi extends Abi> {
  readonly address: string;
  /** The address, as ethers' BaseContract gives it. */
  getAddress(): Promise<string>;
  readonly abi: TAbi;
  readonly interface: Interface;
  /** Calls a view or pure function. */
  readonly read: { [N in ReadName<TAbi>]: (...args: ArgsOf<TAbi, N>) => Promise<ReturnOf<TAbi, N>> };
  /** The unsigned transaction for a state-changing call, for a sender to fill in, sign and send. */
  readonly populate: { [N in WriteName<TAbi>]: (...args: ArgsOf<TAbi, N>) => Promise<ContractTransaction> };
  /** Sends a state-changing call from the runner (a Signer). */
  readonly write: {
    [N in WriteName<TAbi>]: (...args: ArgsOf<TAbi, N>) => Promise<ContractTransactionResponse>;
  };
  /** Estimates a state-changing call: a call the chain refuses throws, with the revert data. */
  readonly estimateGas: { [N in WriteName<TAbi>]: (...args: ArgsOf<TAbi, N>) => Promise<bigint> };
  connect(runner: ContractRunner | null): CustosContract<TAbi>;
}

type Method = (...args: unknown[]) => Promise<unknown>;

/** Binds `abi` at `address`; the ABI must not overload a function name (none of the Custos contracts does). */
export function bindContract<const TAbi extends Abi>(
  abi: TAbi,
  address: string,
  runner: ContractRunner | null,
): CustosContract<TAbi> {
  const contract = new Contract(address, abi as unknown as InterfaceAbi, runner);
  const functions = abi.filter((item): item is AbiFunction => item.type === 'function');
  const names = functions.map((f) => f.name);
  const overloaded = names.find((name, i) => names.indexOf(name) !== i);
  if (overloaded) throw new Error(`bindContract: ${overloaded} is overloaded; bind it by signature instead`);
  const isRead = (f: AbiFunction) => f.stateMutability === 'view' || f.stateMutability === 'pure';
  const table = (reads: boolean, method: (name: string) => Method) =>
    Object.fromEntries(functions.filter((f) => isRead(f) === reads).map((f) => [f.name, method(f.name)]));
  const fn = (name: string) => contract.getFunction(name);
  return {
    address,
    getAddress: async () => address,
    abi,
    interface: contract.interface,
    read: table(
      true,
      (name) =>
        (...args) =>
          fn(name).staticCall(...args),
    ),
    populate: table(
      false,
      (name) =>
        (...args) =>
          fn(name).populateTransaction(...args),
    ),
    write: table(
      false,
      (name) =>
        (...args) =>
          fn(name).send(...args),
    ),
    estimateGas: table(
      false,
      (name) =>
        (...args) =>
          fn(name).estimateGas(...args),
    ),
    connect: (other: ContractRunner | null) => bindContract(abi, address, other),
  } as unknown as CustosContract<TAbi>;
}

/** The deployed Custos contract `name` at `address`. */
export function custosContract<N extends ContractName>(
  name: N,
  address: string,
  runner: ContractRunner | null,
): CustosContract<ContractAbi<N>> {
  return bindContract(deployedContracts[name].abi as ContractAbi<N>, address, runner);
}

/** Deploys `name` from its committed bytecode and waits until it is mined. */
export async function deployContract<N extends ContractName>(
  name: N,
  deployer: Signer,
  ...args: ConstructorArgsOf<ContractAbi<N>>
): Promise<CustosContract<ContractAbi<N>>> {
  const { abi, bytecode } = deployedContracts[name];
  const factory = new ContractFactory(abi as unknown as InterfaceAbi, bytecode, deployer);
  const deployed = await factory.deploy(...(args as unknown[]));
  await deployed.waitForDeployment();
  return custosContract(name, await deployed.getAddress(), deployer);
}

/** An event's arguments by name, as ethers decodes them. */
export type EventArgs<TAbi extends Abi, N extends ExtractAbiEventNames<TAbi>> = {
  [P in ExtractAbiEvent<TAbi, N>['inputs'][number] as P['name'] & string]: Settled<
    AbiParameterToPrimitiveType<P>
  >;
};
/** One decoded event of contract `C`: narrowing on `name` types `args`. */
export type CustosEvent<C extends ContractName = ContractName> = {
  [K in C]: {
    [N in ExtractAbiEventNames<ContractAbi<K>>]: { contract: K; name: N; args: EventArgs<ContractAbi<K>, N> };
  }[ExtractAbiEventNames<ContractAbi<K>>];
}[C];

/** Decodes the logs of one deployed contract; null for a log its ABI does not describe. */
export function eventDecoder<C extends ContractName>(name: C): (log: Log) => CustosEvent<C> | null {
  const iface = new Interface(deployedContracts[name].abi as unknown as InterfaceAbi);
  return (log) => {
    const parsed = iface.parseLog(log);
    if (!parsed) return null;
    const args = Object.fromEntries(parsed.fragment.inputs.map((input, i) => [input.name, parsed.args[i]]));
    return { contract: name, name: parsed.name, args } as unknown as CustosEvent<C>;
  };
}

const custosErrors = new Interface(custosErrorsAbi as unknown as InterfaceAbi);

/**
 * Names a revert from its data with every Custos contract's errors (OpenZeppelin's included), with its arguments:
 * `StaleEpoch(3, 4)`. Data none of them declares is named by its selector; no data at all gives undefined.
 */
export function describeRevert(data: unknown): string | undefined {
  if (typeof data !== 'string' || !/^0x[0-9a-fA-F]{8}/.test(data)) return undefined;
  const parsed = custosErrors.parseError(data);
  if (!parsed) return `an unknown custom error ${data.slice(0, 10)}`;
  return `${parsed.name}(${parsed.args.map((arg) => String(arg)).join(', ')})`;
}
