import { readFileSync } from 'node:fs';

export interface SchemaColumn {
  model: string;
  table: string;
  column: string;
  prismaType: string;
  nativeType: string | undefined;
  optional: boolean;
}

const SCALARS = new Set([
  'String',
  'Int',
  'BigInt',
  'Boolean',
  'DateTime',
  'Json',
  'Bytes',
  'Decimal',
  'Float',
]);

/**
 * The tables and columns schema.prisma declares: a deliberately small reader for this project's schema (models,
 * scalar and enum fields, @map/@@map, @db.*), enough to check it against the database the migrations build.
 */
export function readSchemaColumns(schemaFile: string): { columns: SchemaColumn[]; enums: Set<string> } {
  const text = readFileSync(schemaFile, 'utf8');
  const enums = new Set([...text.matchAll(/^enum (\w+) \{/gm)].map((m) => m[1]!));
  const columns: SchemaColumn[] = [];
  for (const block of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const model = block[1]!;
    const body = block[2]!;
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? model;
    for (const line of body.split('\n')) {
      const field = /^\s+(\w+)\s+(\w+)(\??)(\[\])?\s*(.*)$/.exec(line);
      if (!field || field[4]) continue;
      const [, name, type, optional, , attributes] = field as unknown as string[];
      if (!SCALARS.has(type!) && !enums.has(type!)) continue; // relation fields have no column
      columns.push({
        model,
        table,
        column: /@map\("([^"]+)"\)/.exec(attributes!)?.[1] ?? name!,
        prismaType: type!,
        nativeType: /@db\.(\w+)/.exec(attributes!)?.[1],
        optional: optional === '?',
      });
    }
  }
  return { columns, enums };
}
