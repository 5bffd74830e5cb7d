import { z } from 'zod';
import { SNARK_FIELD } from '../zk/index.js';

/** A BN254 field element other than 0, as a decimal or 0x-hex string (JSON numbers cannot hold 254 bits). */
export const fieldElement = z
  .string()
  .regex(/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/, { message: 'must be a decimal or 0x-hex string' })
  .transform((value) => BigInt(value))
  .refine((value) => value > 0n && value < SNARK_FIELD, {
    message: 'must be a field element: above 0 and below the BN254 scalar field modulus',
  });

/** A 32-byte hex value (a bytes32 context such as an agent id). */
export const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: 'must be 0x and 64 hex digits' });
