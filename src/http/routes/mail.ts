import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { MESSAGE_MAX_LENGTH } from '../../app/invitations/invite.js';
import {
  inviteUser,
  listImportEmails,
  listOutbox,
  listUserEmails,
  listUserInvitations,
  resendInvitations,
} from '../../app/invitations/manage.js';
import { listMailbox, mailStatus, setMailPaused } from '../../app/mail/control.js';
import { MAX_ID } from '../../core/domain/entities.js';
import { OUTBOX_STATUSES } from '../../core/mail/sending.js';
import {
  csvList as csv,
  Email,
  EmailPage,
  Invitation,
  MailboxPage,
  MailStatus,
  OutboxQuery,
} from '../mail-schemas.js';
import { actorOf } from '../plugins/auth.js';
import { errorResponses, IdParam, id, idText } from '../schemas.js';

const Message = z
  .string()
  .max(MESSAGE_MAX_LENGTH)
  .nullable()
  .optional()
  .describe("The admin's own words, added to the invitation");

/** Invitations (send, resend, history), the outbox's emails, sending control and the local mailbox. */
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
          200: EmailPage,
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
    '/api/v1/emails',
    {
      schema: {
        tags: ['mail'],
        summary: 'The outbox: every email newest first, with its status, attempts and last error',
        querystring: OutboxQuery,
        response: { 200: EmailPage, ...errorResponses },
      },
    },
    (req) => {
      const { cursor, ...filter } = req.query;
      return listOutbox(ctx, actorOf(req), { ...filter, ...(cursor !== undefined && { before: cursor }) });
    },
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
          200: MailboxPage,
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
