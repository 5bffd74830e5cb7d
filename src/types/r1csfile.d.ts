// The part of r1csfile (no types shipped) the circuit tests use to read the compiled constraints.
declare module 'r1csfile' {
  export function readR1cs(
    file: string,
    options: { loadConstraints: boolean; loadMap: boolean },
  ): Promise<{
    prime: bigint;
    F: { toString(value: Uint8Array): string };
    constraints: Record<string, Uint8Array>[][];
    curve?: { terminate?: () => Promise<void> };
  }>;
}
