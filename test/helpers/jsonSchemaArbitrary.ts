import fc from 'fast-check';

/** The subset of JSON Schema the OpenAPI document uses. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

/** Strings no grammar should let through: NUL, lone surrogates, controls, huge, markup, SQL, path tricks. */
const hostileStrings = fc.constantFrom(
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff tail',
  '\u202e\u0007',
  'x'.repeat(10_000),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '0x',
  `0x${'f'.repeat(64)}`,
  '9999999999999999999999',
  '-1',
  'NaN',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2024-02-30',
  '💥'.repeat(100),
);

const hostileValues = fc.oneof(
  hostileStrings,
  fc.constantFrom(null, true, false, 0, -1, 2 ** 53, -(2 ** 63), 1e308, [], {}, [null], { $gt: '' }),
  fc.double(),
);

/** Values `schema` accepts (as far as its pattern and bounds say; refinements may still refuse some). */
export function validValue(schema: JsonSchema, resolve: (ref: string) => JsonSchema): fc.Arbitrary<unknown> {
  if (schema.$ref) return validValue(resolve(schema.$ref), resolve);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.oneOf ?? schema.anyOf;
  if (choices) return fc.oneof(...choices.map((choice) => validValue(choice, resolve)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date(1980, 0), max: new Date(2100, 0), noInvalidDate: true })
          .map((d) => d.toISOString());
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? (schema.exclusiveMinimum ?? -1000) + 1, -(2 ** 31)),
        max: Math.min(schema.maximum ?? 2 ** 31, 2 ** 31),
      });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (schema.prefixItems) return fc.tuple(...schema.prefixItems.map((item) => validValue(item, resolve)));
      return fc.array(schema.items ? validValue(schema.items, resolve) : fc.anything(), { maxLength: 3 });
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([name, prop]) => [name, validValue(prop, resolve)]),
        ),
        { requiredKeys: [...required].filter((name) => name in properties) },
      );
    }
    default:
      return fc.anything();
  }
}

/** Values close to valid but wrong in one place: a missing field, an unknown one, a hostile value, a wrong type. */
export function invalidValue(
  schema: JsonSchema,
  resolve: (ref: string) => JsonSchema,
): fc.Arbitrary<unknown> {
  const target = schema.$ref ? resolve(schema.$ref) : schema;
  const base = validValue(target, resolve);
  if (target.type !== 'object' || !target.properties)
    return fc.oneof(
      hostileValues,
      base.map((v) => [v]),
    );
  const names = Object.keys(target.properties);
  return fc.oneof(
    hostileValues,
    fc.tuple(base, fc.constantFrom(...names)).map(([value, name]) => {
      const copy = { ...(value as object) } as Record<string, unknown>;
      delete copy[name];
      return copy;
    }),
    fc.tuple(base, fc.constantFrom(...names), hostileValues).map(([value, name, bad]) => ({
      ...(value as object),
      [name]: bad,
    })),
    base.map((value) => ({ ...(value as object), expiresAt: 1, signer: '0x0', uid: 'mine' })),
  );
}
