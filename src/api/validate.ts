import type { z } from 'zod';
import { CustosError } from '../errors/index.js';

/** Parses `value` with `schema`; a failure is a 400 VALIDATION_FAILED listing each field and problem. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  const first = issues[0]!;
  throw new CustosError('VALIDATION_FAILED', `${first.field}: ${first.message}`, { issues });
}
