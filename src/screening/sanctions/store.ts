import { createHash } from 'node:crypto';
import { appendAuditEvent } from '../../audit/index.js';
import type { Database } from '../../db/index.js';
import { CustosError } from '../../errors/index.js';
import { detectListFormat, parseList, type ListFormat } from './parse.js';

export interface LoadListParameters {
  name: string;
  content: string;
  format?: ListFormat;
  actor: string;
}

export interface LoadedList {
  name: string;
  format: ListFormat;
  contentHash: string;
  entryCount: number;
  /** False when this exact version was loaded before (it is made the active one again). */
  created: boolean;
}

export interface ListVersion {
  name: string;
  contentHash: string;
}

/**
 * Loads a version of a sanctions or deny list, identified by the SHA-256 of its content, and makes it the active
 * version of its name; earlier versions stay for the audit trail. Parse errors load nothing.
 */
export async function loadSanctionsList(db: Database, params: LoadListParameters): Promise<LoadedList> {
  const format = params.format ?? detectListFormat(params.content);
  let entries;
  try {
    entries = parseList(format, params.content, params.name);
  } catch (error) {
    throw new CustosError('VALIDATION_FAILED', `${format} list ${params.name}: ${(error as Error).message}`);
  }
  const contentHash = createHash('sha256').update(params.content).digest('hex');
  return db.$transaction(
    async (tx) => {
      await tx.sanctionsList.updateMany({ where: { name: params.name }, data: { active: false } });
      const existing = await tx.sanctionsList.findUnique({
        where: { name_contentHash: { name: params.name, contentHash } },
      });
      if (existing) {
        await tx.sanctionsList.update({ where: { id: existing.id }, data: { active: true } });
      } else {
        const list = await tx.sanctionsList.create({
          data: { name: params.name, format, contentHash, entryCount: entries.length },
        });
        await tx.sanctionedAddress.createMany({ data: entries.map((e) => ({ listId: list.id, ...e })) });
      }
      const loaded = {
        name: params.name,
        format,
        contentHash,
        entryCount: entries.length,
        created: !existing,
      };
      await appendAuditEvent(tx, { type: 'sanctions.loaded', actor: params.actor, payload: { ...loaded } });
      return loaded;
    },
    { timeout: 60_000 },
  );
}
