import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import {
  checkLink,
  type LinkPurpose,
  requestPasswordReset,
  useLink,
} from '../../app/invitations/activate.js';
import { portalLogin, portalLogout, portalProfile } from '../../app/portal.js';
import { EMAIL_MAX_LENGTH } from '../../core/domain/email.js';
import { isAppError } from '../../core/errors.js';
import { PASSWORD_MAX_LENGTH } from '../../security/passwords.js';
import { csrfTokenFor } from '../../security/tokens.js';
import { invalidLinkPage, linkPage } from '../pages.js';
import { clearPortalCookie, portalUserOf, setPortalCookie } from '../plugins/portal-auth.js';
import { ErrorBody, Ok } from '../schemas.js';

/**
 * The portal's side: links from emails (activation, password reset), sign-in and the signed-in
 * user's profile. For portal users; admin credentials count for nothing here.
 */
const TokenPassword = z
  .object({
    token: z.string().max(200).describe('The token from the link in the email'),
    password: z.string().max(PASSWORD_MAX_LENGTH),
  })
  .strict();

const PortalLogin = z
  .object({
    login: z.string().max(EMAIL_MAX_LENGTH).describe('Email or username'),
    password: z.string().max(PASSWORD_MAX_LENGTH),
  })
  .strict();

const RefName = z.object({ id: z.number(), name: z.string() });
const PortalMe = z
  .object({
    user: z.object({
      id: z.number(),
      email: z.string(),
      username: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      displayName: z.string(),
      userType: z.string(),
      accessLevel: z.string().nullable(),
      employeeNumber: z.string().nullable(),
      attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
      status: z.string(),
      activatedAt: z.string().nullable(),
    }),
    customer: RefName,
    site: RefName,
    roles: z.array(RefName),
    groups: z.array(RefName),
    csrfToken: z.string().describe('Send as X-CSRF-Token on every change made with the portal cookie'),
  })
  .meta({ id: 'PortalMe' });

const portalErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  410: ErrorBody,
  429: ErrorBody,
} as const;
const PageQuery = z.object({ token: z.string().max(200).optional() }).strict();

export function portalRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // Pages opened from the email's link.
  const page = (purpose: LinkPurpose) => async (token: string | undefined, reply: FastifyReply) => {
    try {
      const link = await checkLink(ctx, token ?? '', purpose);
      return reply.send(linkPage(reply, { purpose, ...link }));
    } catch (e) {
      if (!isAppError(e) || e.status !== 410) throw e;
      return reply.status(410).send(invalidLinkPage(reply, e.message));
    }
  };
  const activationPage = page('activation');
  const resetPage = page('reset');
  r.get('/activate', { schema: { hide: true, querystring: PageQuery } }, (req, reply) =>
    activationPage(req.query.token, reply),
  );
  r.get('/reset-password', { schema: { hide: true, querystring: PageQuery } }, (req, reply) =>
    resetPage(req.query.token, reply),
  );

  r.post(
    '/api/v1/portal/activate',
    {
      schema: {
        tags: ['portal'],
        summary: 'Activate an invited account: set its password with the token from the invitation email',
        security: [],
        body: TokenPassword,
        response: { 200: z.object({ ok: z.literal(true), email: z.string() }), ...portalErrors },
      },
    },
    async (req) => ({ ok: true as const, ...(await useLink(ctx, req.body, 'activation')) }),
  );

  r.post(
    '/api/v1/portal/password-reset',
    {
      schema: {
        tags: ['portal'],
        summary: 'Ask for a password reset email (the answer is the same for any email)',
        security: [],
        body: z.object({ email: z.string().max(EMAIL_MAX_LENGTH) }).strict(),
        response: { 202: Ok, ...portalErrors },
      },
    },
    async (req, reply) => {
      await requestPasswordReset(ctx, { email: req.body.email, address: req.ip });
      return reply.status(202).send({ ok: true as const });
    },
  );

  r.post(
    '/api/v1/portal/password-reset/confirm',
    {
      schema: {
        tags: ['portal'],
        summary: 'Set a new password with the token from the reset email; ends the portal sessions',
        security: [],
        body: TokenPassword,
        response: { 200: z.object({ ok: z.literal(true), email: z.string() }), ...portalErrors },
      },
    },
    async (req) => ({ ok: true as const, ...(await useLink(ctx, req.body, 'reset')) }),
  );

  r.post(
    '/api/v1/portal/login',
    {
      schema: {
        tags: ['portal'],
        summary: 'Sign in as a portal user; sets the portal session cookie',
        security: [],
        body: PortalLogin,
        response: { 200: z.object({ csrfToken: z.string(), expiresAt: z.string() }), ...portalErrors },
      },
    },
    async (req, reply) => {
      const signedIn = await portalLogin(ctx, { ...req.body, address: req.ip });
      setPortalCookie(req, reply, signedIn.sessionSecret, signedIn.expiresAt, ctx.config.publicUrl);
      return { csrfToken: signedIn.csrfToken, expiresAt: signedIn.expiresAt };
    },
  );

  r.post(
    '/api/v1/portal/logout',
    {
      schema: {
        tags: ['portal'],
        summary: 'Sign out of the portal: ends the portal session',
        security: [],
        response: { 200: Ok, ...portalErrors },
      },
    },
    async (req, reply) => {
      if (req.portal) await portalLogout(ctx, req.portal.sessionSecret);
      clearPortalCookie(reply);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/portal/me',
    {
      schema: {
        tags: ['portal'],
        summary: 'The signed-in portal user: profile, roles, groups, customer and site',
        security: [],
        response: { 200: PortalMe, ...portalErrors },
      },
    },
    async (req) => {
      const userId = portalUserOf(req);
      const p = await portalProfile(ctx, userId);
      const { customer, site, roles, groups, ...user } = p;
      return { user, customer, site, roles, groups, csrfToken: csrfTokenFor(req.portal!.sessionSecret) };
    },
  );
}
