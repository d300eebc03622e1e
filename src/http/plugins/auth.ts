import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Authenticated, authenticateApiToken, authenticateSession } from '../../app/auth.js';
import type { AppContext } from '../../app/context.js';
import type { Actor } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { csrfTokenFor, safeEqual } from '../../security/tokens.js';

export const SESSION_COOKIE = 'roster_session';
export const PORTAL_PREFIX = '/api/v1/portal/';

declare module 'fastify' {
  interface FastifyRequest {
    auth: (Authenticated & { via: 'session' | 'token'; sessionSecret: string | null }) | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Signing in replaces whatever session the browser had; it needs no token from the old one.
const CSRF_EXEMPT = new Set(['/api/v1/auth/login']);

/**
 * Resolves who is calling: `Authorization: Bearer <API token>` first, else the session cookie.
 * Cookie-authenticated changes must carry the session's CSRF token; token calls need none,
 * since a browser never sends a bearer token on its own.
 */
export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    // Portal routes are for portal users, with sessions of their own (plugins/portal-auth.ts).
    if (!request.url.startsWith('/api/v1/') || request.url.startsWith(PORTAL_PREFIX)) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const found = match ? await authenticateApiToken(ctx, match[1]!) : null;
      if (!found) throw errors.unauthenticated();
      request.auth = { ...found, via: 'token', sessionSecret: null };
      return;
    }
    const secret = request.cookies[SESSION_COOKIE];
    if (!secret) return;
    const found = await authenticateSession(ctx, secret);
    if (!found) return;
    request.auth = { ...found, via: 'session', sessionSecret: secret };
    if (!SAFE_METHODS.has(request.method) && !CSRF_EXEMPT.has(request.url)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(secret))) throw errors.csrf();
    }
  });
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.auth) throw errors.unauthenticated();
  return request.auth.actor;
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  secret: string,
  expiresAt: string,
  publicUrl: string,
): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https' || publicUrl.startsWith('https:'),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
