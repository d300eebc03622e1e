import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { checkLink, requestPasswordReset, useLink } from '../../app/invitations/activate.js';
import { portalInfo, portalLogin, portalLogout, portalProfile } from '../../app/portal.js';
import { portalRecords } from '../../app/records.js';
import { EMAIL_MAX_LENGTH } from '../../core/domain/email.js';
import { PASSWORD_MAX_LENGTH } from '../../security/passwords.js';
import { csrfTokenFor } from '../../security/tokens.js';
import { clearPortalCookie, portalUserOf, setPortalCookie } from '../plugins/portal-auth.js';
import { LinkCheck, LinkChecked, LinkUsed, PortalInfo, PortalMe, PortalSignedIn } from '../portal-schemas.js';
import { PortalRecordQuery, RecordView } from '../record-schemas.js';
import { ErrorBody, Ok, page } from '../schemas.js';

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

const portalErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  410: ErrorBody,
  429: ErrorBody,
} as const;
export function portalRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // The pages an email's link opens (/activate, /reset-password) are the console's: they read the
  // portal's name here and check the link before asking for a password.
  r.get(
    '/api/v1/portal/info',
    {
      schema: {
        tags: ['portal'],
        summary: "The portal's name, for the portal's pages",
        security: [],
        response: { 200: PortalInfo, ...portalErrors },
      },
    },
    () => portalInfo(ctx),
  );
  r.post(
    '/api/v1/portal/links/check',
    {
      schema: {
        tags: ['portal'],
        summary: 'Whether a link from an email still works, without using it; the account it is for',
        security: [],
        body: LinkCheck,
        response: { 200: LinkChecked, ...portalErrors },
      },
    },
    (req) => checkLink(ctx, req.body.token, req.body.purpose),
  );

  r.post(
    '/api/v1/portal/activate',
    {
      schema: {
        tags: ['portal'],
        summary: 'Activate an invited account: set its password with the token from the invitation email',
        security: [],
        body: TokenPassword,
        response: { 200: LinkUsed, ...portalErrors },
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
        response: { 200: LinkUsed, ...portalErrors },
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
        response: { 200: PortalSignedIn, ...portalErrors },
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
  r.get(
    '/api/v1/portal/records',
    {
      schema: {
        tags: ['portal'],
        summary:
          "The signed-in portal user's own records (customers, appointments, tasks, visit reports), read-only",
        security: [],
        querystring: PortalRecordQuery,
        response: { 200: page(RecordView), ...portalErrors },
      },
    },
    (req) => portalRecords(ctx, portalUserOf(req), req.query),
  );
}
