import { z } from 'zod';
import { MAX_ID } from '../core/domain/entities.js';
import { OUTBOX_STATUSES } from '../core/mail/sending.js';
import { MAIL_KINDS } from '../core/mail/templates.js';
import { idText } from './schemas.js';

/**
 * The shapes of invitations, the outbox's emails, sending control and the local mailbox. Kept apart
 * from the routes so that the console can infer its types from them (type-only) without the server.
 */
export const Invitation = z
  .object({
    id: z.number(),
    userId: z.number(),
    purpose: z.enum(['activation', 'reset']),
    status: z.enum(['open', 'used', 'revoked', 'expired']),
    importId: z.number().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'Invitation' });

export const Email = z
  .object({
    id: z.number(),
    kind: z.enum(MAIL_KINDS),
    recipient: z.string(),
    recipientName: z.string(),
    subject: z.string(),
    text: z.string().describe('The plain-text part as stored; links are put in only when it is sent'),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z.number(),
    lastError: z.string().nullable(),
    importId: z.number().nullable(),
    userId: z.number().nullable(),
    invitationId: z.number().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: 'Email' });

export const EmailCounts = z.object({
  queued: z.number(),
  sending: z.number(),
  sent: z.number(),
  failed: z.number(),
});

export const csvList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter((s) => s !== '') : v),
    z.array(item).max(10),
  );

/** A page of emails, newest first, with the counts by status of everything the filter matches. */
export const EmailPage = z.object({
  counts: EmailCounts,
  items: z.array(Email),
  nextCursor: z.number().nullable(),
});

export const OutboxQuery = z
  .object({
    status: csvList(z.enum(OUTBOX_STATUSES)).optional().describe('One or more statuses, comma separated'),
    kind: csvList(z.enum(MAIL_KINDS)).optional().describe('One or more kinds of email, comma separated'),
    recipient: z.string().max(200).optional().describe("Start of the recipient's address or name (any case)"),
    customerId: idText().optional(),
    importId: idText().optional(),
    userId: idText().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.coerce.number().int().positive().max(MAX_ID).optional(),
  })
  .strict();

export const MailStatus = z
  .object({
    paused: z.boolean(),
    transport: z.enum(['smtp', 'mailbox']),
    from: z.string(),
    ratePerMinute: z.number(),
    warmupMinutes: z.number(),
    maxAttempts: z.number(),
    counts: EmailCounts,
  })
  .meta({ id: 'MailStatus' });

export const MailboxMessage = z
  .object({
    id: z.number(),
    outboxId: z.number(),
    from: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    receivedAt: z.string(),
  })
  .meta({ id: 'MailboxMessage' });

export const MailboxPage = z.object({ items: z.array(MailboxMessage), nextCursor: z.number().nullable() });
