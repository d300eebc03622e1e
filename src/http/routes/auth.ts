import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { login, logout } from '../../app/auth.js';
import type { AppContext } from '../../app/context.js';
import { can, PERMISSIONS } from '../../core/access/policy.js';
import { csrfTokenFor } from '../../security/tokens.js';
import { actorOf, clearSessionCookie, setSessionCookie } from '../plugins/auth.js';
import { ErrorBody, LoginBody, Me, Ok, SignedIn } from '../schemas.js';

export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in as an admin; sets the session cookie',
        security: [],
        body: LoginBody,
        response: { 200: SignedIn, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const signedIn = await login(ctx, { ...request.body, address: request.ip });
      setSessionCookie(request, reply, signedIn.sessionSecret, signedIn.expiresAt, ctx.config.publicUrl);
      return { admin: signedIn.admin, csrfToken: signedIn.csrfToken, expiresAt: signedIn.expiresAt };
    },
  );

  r.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out: ends the session', response: { 200: Ok } } },
    async (request, reply) => {
      if (request.auth?.sessionSecret) await logout(ctx, request.auth.sessionSecret);
      clearSessionCookie(reply);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, with the CSRF token for changes',
        response: { 200: Me, 401: ErrorBody },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const auth = request.auth!;
      return {
        admin: auth.admin,
        via: auth.via,
        csrfToken: auth.sessionSecret ? csrfTokenFor(auth.sessionSecret) : null,
        permissions: PERMISSIONS.filter((p) => can(actor, p)),
      };
    },
  );
}
