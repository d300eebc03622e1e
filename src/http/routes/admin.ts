import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as admins from '../../app/admins.js';
import { listAuditLog } from '../../app/audit-log.js';
import type { AppContext } from '../../app/context.js';
import { getSettings, updateSettings } from '../../app/settings.js';
import { SETUP_STEPS, setupStatus } from '../../app/setup.js';
import { SettingsPatch } from '../../core/domain/settings.js';
import { actorOf } from '../plugins/auth.js';
import {
  Admin,
  AdminCreate,
  AdminUpdate,
  ApiToken,
  AuditEntry,
  AuditQuery,
  errorResponses,
  IdParam,
  Ok,
  Settings,
  TokenCreate,
  TokenCreated,
} from '../schemas.js';

const SetupStatus = z
  .object({
    complete: z.boolean().describe('Every step done: the console hides the checklist'),
    steps: z.array(z.object({ id: z.enum(SETUP_STEPS), done: z.boolean() })),
    mail: z.object({
      transport: z
        .enum(['smtp', 'mailbox'])
        .describe('mailbox: no SMTP_URL, email stays in the local mailbox'),
      paused: z.boolean().describe('Sending is paused: email waits in the outbox'),
      from: z.string(),
    }),
  })
  .meta({ id: 'SetupStatus' });

/** Admins, API tokens, settings and the audit log. */
export function adminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/admins',
    { schema: { tags: ['admins'], response: { 200: z.array(Admin), ...errorResponses } } },
    (req) => admins.listAdmins(ctx, actorOf(req)),
  );
  r.post(
    '/api/v1/admins',
    { schema: { tags: ['admins'], body: AdminCreate, response: { 201: Admin, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await admins.createAdmin(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/admins/:id',
    { schema: { tags: ['admins'], params: IdParam, response: { 200: Admin, ...errorResponses } } },
    (req) => admins.getAdmin(ctx, actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/admins/:id',
    {
      schema: {
        tags: ['admins'],
        params: IdParam,
        body: AdminUpdate,
        response: { 200: Admin, ...errorResponses },
      },
    },
    (req) => admins.updateAdmin(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/admins/:id',
    { schema: { tags: ['admins'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await admins.deleteAdmin(ctx, actorOf(req), req.params.id);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/tokens',
    { schema: { tags: ['tokens'], response: { 200: z.array(ApiToken), ...errorResponses } } },
    (req) => admins.listTokens(ctx, actorOf(req)),
  );
  r.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; the secret is in this answer only',
        body: TokenCreate,
        response: { 201: TokenCreated, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await admins.createToken(ctx, actorOf(req), req.body)),
  );
  r.delete(
    '/api/v1/tokens/:id',
    { schema: { tags: ['tokens'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await admins.deleteToken(ctx, actorOf(req), req.params.id);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/settings',
    { schema: { tags: ['settings'], response: { 200: Settings, ...errorResponses } } },
    (req) => getSettings(ctx, actorOf(req)),
  );
  r.patch(
    '/api/v1/settings',
    { schema: { tags: ['settings'], body: SettingsPatch, response: { 200: Settings, ...errorResponses } } },
    (req) => updateSettings(ctx, actorOf(req), req.body),
  );

  r.get(
    '/api/v1/setup',
    {
      schema: {
        tags: ['settings'],
        summary: 'The first-run checklist: which setup steps are done, and where invitation email goes',
        response: { 200: SetupStatus, ...errorResponses },
      },
    },
    (req) => setupStatus(ctx, actorOf(req)),
  );

  r.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first',
        querystring: AuditQuery,
        response: {
          200: z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    (req) => listAuditLog(ctx, actorOf(req), req.query),
  );
}
