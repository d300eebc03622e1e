import { z } from 'zod';
import { MAX_ID } from '../core/domain/entities.js';
import { RECORD_TYPES } from '../core/domain/records.js';
import { idText } from './schemas.js';

/** Records of portal users: what the records routes read and answer (admin console and portal). */
const AttributeValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

export const RecordView = z
  .object({
    id: z.number(),
    type: z.enum(RECORD_TYPES),
    key: z.string().describe('Customer number (customers) or external id: unique per owner and type'),
    title: z.string().describe('Name, subject or title'),
    customerRef: z
      .string()
      .nullable()
      .describe("The customer number of the owner's customers record it refers to"),
    date: z.string().nullable().describe('Start, due date or date'),
    fields: z.record(z.string(), z.string().nullable()),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    ownerUserId: z.number(),
    customerId: z.number(),
    owner: z.object({ id: z.number(), email: z.string(), displayName: z.string() }),
    customer: z.object({ id: z.number(), name: z.string() }),
    version: z.number(),
    importId: z.number().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Record' });

export const RecordListQuery = z
  .object({
    type: z.enum(RECORD_TYPES).optional(),
    ownerUserId: idText().optional().describe("Only this portal user's records"),
    customerId: idText().optional(),
    q: z
      .string()
      .max(200)
      .optional()
      .describe('Prefix of the name, subject or title, or of the key (any case)'),
    cursor: z.coerce.number().int().nonnegative().max(MAX_ID).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const RecordUpdate = z
  .object({
    key: z.string().max(100).optional(),
    customerRef: z.string().max(100).nullable().optional(),
    fields: z.record(z.string().max(63), z.string().max(20000).nullable()).optional(),
    attributes: z.record(z.string().max(63), AttributeValue).optional(),
  })
  .strict();

export const PortalRecordQuery = z
  .object({
    type: z.enum(RECORD_TYPES).optional(),
    cursor: z.coerce.number().int().nonnegative().max(MAX_ID).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
