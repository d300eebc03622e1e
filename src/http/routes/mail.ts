import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { MESSAGE_MAX_LENGTH } from '../../app/invitations/invite.js';
import {
  inviteUser,
  listImportEmails,
  listUserEmails,
  listUserInvitations,
  resendInvitations,
} from '../../app/invitations/manage.js';
import { listMailbox, mailStatus, setMailPaused } from '../../app/mail/control.js';
import { MAX_ID } from '../../core/domain/entities.js';
import { OUTBOX_STATUSES } from '../../core/mail/sending.js';
import { MAIL_KINDS } from '../../core/mail/templates.js';
import { actorOf } from '../plugins/auth.js';
import { errorResponses, IdParam, id, idText } from '../schemas.js';

/** Invitations (send, resend, history), the outbox's emails, sending control and the local mailbox. */
const Invitation = z
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

const Email = z
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

const Counts = z.object({ queued: z.number(), sending: z.number(), sent: z.number(), failed: z.number() });

const Message = z
  .string()
  .max(MESSAGE_MAX_LENGTH)
  .nullable()
  .optional()
  .describe("The admin's own words, added to the invitation");

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter((s) => s !== '') : v),
    z.array(item).max(10),
  );

const MailStatus = z
  .object({
    paused: z.boolean(),
    transport: z.enum(['smtp', 'mailbox']),
    from: z.string(),
    ratePerMinute: z.number(),
    warmupMinutes: z.number(),
    maxAttempts: z.number(),
    counts: Counts,
  })
  .meta({ id: 'MailStatus' });

export function mailRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/users/:id/invitations',
    {
      schema: {
        tags: ['invitations'],
        summary: "Send (or resend) a user's invitation: a new link, the old one stops working",
        params: IdParam,
        body: z.object({ message: Message }).strict().optional(),
        response: { 201: Invitation, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await inviteUser(ctx, actorOf(req), req.params.id, req.body ?? {})),
  );
  r.get(
    '/api/v1/users/:id/invitations',
    {
      schema: {
        tags: ['invitations'],
        summary: "A user's invitations and password resets, newest first",
        params: IdParam,
        response: { 200: z.array(Invitation), ...errorResponses },
      },
    },
    (req) => listUserInvitations(ctx, actorOf(req), req.params.id),
  );
  r.get(
    '/api/v1/users/:id/emails',
    {
      schema: {
        tags: ['invitations'],
        summary: 'The emails written to a user, newest first, with their status',
        params: IdParam,
        response: { 200: z.array(Email), ...errorResponses },
      },
    },
    (req) => listUserEmails(ctx, actorOf(req), req.params.id),
  );
  r.post(
    '/api/v1/invitations/resend',
    {
      schema: {
        tags: ['invitations'],
        summary: 'Resend invitations to every pending or expired user of an import, or of a customer filter',
        body: z
          .object({
            importId: id().optional(),
            customerId: id().optional(),
            siteId: id().optional(),
            roleId: id().optional(),
            groupId: id().optional(),
            status: z
              .array(z.enum(['pending', 'expired']))
              .max(2)
              .optional(),
            message: Message,
          })
          .strict(),
        response: { 200: z.object({ invited: z.number() }), ...errorResponses },
      },
    },
    (req) => resendInvitations(ctx, actorOf(req), req.body),
  );
  r.get(
    '/api/v1/imports/:id/emails',
    {
      schema: {
        tags: ['imports'],
        summary: "An import's emails with their status, and the counts by status",
        params: IdParam,
        querystring: z
          .object({
            status: csv(z.enum(OUTBOX_STATUSES)).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.coerce.number().int().positive().max(MAX_ID).optional(),
          })
          .strict(),
        response: {
          200: z.object({ counts: Counts, items: z.array(Email), nextCursor: z.number().nullable() }),
          ...errorResponses,
        },
      },
    },
    (req) =>
      listImportEmails(ctx, actorOf(req), req.params.id, {
        limit: req.query.limit,
        ...(req.query.status && { status: req.query.status }),
        ...(req.query.cursor !== undefined && { before: req.query.cursor }),
      }),
  );

  r.get(
    '/api/v1/mail',
    {
      schema: {
        tags: ['mail'],
        summary: 'Sending: paused or not, transport, rate and the outbox counts',
        response: { 200: MailStatus, ...errorResponses },
      },
    },
    (req) => mailStatus(ctx, actorOf(req)),
  );
  r.post(
    '/api/v1/mail/pause',
    {
      schema: {
        tags: ['mail'],
        summary: 'Pause sending (queued email waits)',
        response: { 200: MailStatus, ...errorResponses },
      },
    },
    (req) => setMailPaused(ctx, actorOf(req), true),
  );
  r.post(
    '/api/v1/mail/resume',
    {
      schema: { tags: ['mail'], summary: 'Resume sending', response: { 200: MailStatus, ...errorResponses } },
    },
    (req) => setMailPaused(ctx, actorOf(req), false),
  );
  r.get(
    '/api/v1/mailbox',
    {
      schema: {
        tags: ['mail'],
        summary: 'The local mailbox: email delivered without SMTP_URL (the embedded default), newest first',
        querystring: z
          .object({
            to: z.string().max(320).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
            cursor: idText().optional(),
          })
          .strict(),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                outboxId: z.number(),
                from: z.string(),
                to: z.string(),
                subject: z.string(),
                text: z.string(),
                html: z.string(),
                receivedAt: z.string(),
              }),
            ),
            nextCursor: z.number().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    (req) =>
      listMailbox(ctx, actorOf(req), {
        limit: req.query.limit,
        ...(req.query.to !== undefined && { to: req.query.to }),
        ...(req.query.cursor !== undefined && { before: req.query.cursor }),
      }),
  );
}
