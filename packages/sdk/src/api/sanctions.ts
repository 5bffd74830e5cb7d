import { z } from 'zod';

export const LIST_FORMATS = ['ofac-sdn-csv', 'ofac-sdn-xml', 'custom'] as const;

export const listName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be lower-case letters, digits and dashes' });

/** A list in a JSON body (small lists; files go up raw). */
export const sanctionsJsonBody = z
  .object({ name: listName, format: z.enum(LIST_FORMATS).optional(), content: z.string().min(1) })
  .strict()
  .meta({ id: 'SanctionsListBody' });

/** For a list sent raw (`text/csv`, `application/xml`, `text/plain`): its name and format. */
export const sanctionsUploadQuery = z
  .object({ name: listName, format: z.enum(LIST_FORMATS).optional() })
  .strict();

/** The content types a sanctions file may be sent as. */
export const RAW_LIST_TYPES = [
  'text/csv',
  'text/plain',
  'application/xml',
  'text/xml',
  'application/octet-stream',
];

export const loadedList = z
  .object({
    name: z.string(),
    format: z.enum(LIST_FORMATS),
    contentHash: z.string(),
    entryCount: z.number().int(),
    created: z.boolean().describe('false when this exact version was loaded before (it is active again)'),
  })
  .meta({ id: 'LoadedList' });
