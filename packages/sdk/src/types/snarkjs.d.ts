// The parts of snarkjs (which ships no types) that Custos uses.
declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export type PublicSignals = string[];
  export type VerificationKey = Record<string, unknown>;
  interface Logger {
    info(message: string): void;
    debug(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  }
  /** A file held in memory (fastfile's `mem` type), wherever snarkjs takes a file name. */
  export interface MemFile {
    type: 'mem';
    data: Uint8Array;
  }
  export const groth16: {
    prove(
      zkey: string | MemFile,
      witness: string | MemFile,
      logger?: Logger,
      options?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    fullProve(
      input: Record<string, unknown>,
      wasm: string | Uint8Array,
      zkey: string | Uint8Array,
      logger?: Logger,
      wtnsCalcOptions?: unknown,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    verify(vkey: VerificationKey, publicSignals: PublicSignals, proof: Groth16Proof): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: PublicSignals): Promise<string>;
  };
  export const curves: {
    /** Multi-threaded unless `singleThread`; a multi-threaded curve is kept in a global and reused. */
    getCurveFromName(
      name: string,
      options?: { singleThread?: boolean },
    ): Promise<{ terminate(): Promise<void> }>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    contribute(
      oldZkey: string,
      newZkey: string,
      name: string,
      entropy: string,
      logger?: Logger,
    ): Promise<unknown>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHash: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>;
    exportVerificationKey(zkey: string | Uint8Array, logger?: Logger): Promise<VerificationKey>;
    exportSolidityVerifier(zkey: string, templates: { groth16: string }, logger?: Logger): Promise<string>;
  };
  export const r1cs: {
    info(
      r1cs: string,
      logger?: Logger,
    ): Promise<{ nConstraints: number; nVars: number; nPubInputs: number; nOutputs: number }>;
  };
}

// circom's witness calculator runtime (a snarkjs dependency): the compiled circuit's WebAssembly, instantiated once.
declare module 'circom_runtime' {
  export interface WitnessCalculator {
    /** The witness in snarkjs's binary .wtns format; throws (an "Assert Failed" message) when a constraint fails. */
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck: boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(wasm: Uint8Array): Promise<WitnessCalculator>;
}
