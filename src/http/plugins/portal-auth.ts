import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { authenticatePortalSession } from '../../app/portal.js';
import { errors } from '../../core/errors.js';
import { csrfTokenFor, safeEqual } from '../../security/tokens.js';
import { PORTAL_PREFIX } from './auth.js';

/**
 * Portal users' sessions: their own cookie, resolved only on /api/v1/portal/ routes (where admin
 * credentials count for nothing). Cookie-authenticated changes carry the session's CSRF token.
 */
export const PORTAL_COOKIE = 'roster_portal';

declare module 'fastify' {
  interface FastifyRequest {
    portal: { userId: number; sessionSecret: string } | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that do not act on a session: signing in, and links from emails. */
const CSRF_EXEMPT = new Set([
  `${PORTAL_PREFIX}login`,
  `${PORTAL_PREFIX}activate`,
  `${PORTAL_PREFIX}password-reset`,
  `${PORTAL_PREFIX}password-reset/confirm`,
  `${PORTAL_PREFIX}links/check`,
]);

export function registerPortalAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('portal', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith(PORTAL_PREFIX)) return;
    const secret = request.cookies[PORTAL_COOKIE];
    if (!secret) return;
    const found = await authenticatePortalSession(ctx, secret);
    if (!found) return;
    request.portal = { userId: found.userId, sessionSecret: secret };
    const path = request.url.split('?')[0]!;
    if (!SAFE_METHODS.has(request.method) && !CSRF_EXEMPT.has(path)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(secret))) throw errors.csrf();
    }
  });
}

export function portalUserOf(request: FastifyRequest): number {
  if (!request.portal) {
    throw errors.unauthenticated('Sign in to the portal first (POST /api/v1/portal/login).');
  }
  return request.portal.userId;
}

export function setPortalCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  secret: string,
  expiresAt: string,
  publicUrl: string,
): void {
  reply.setCookie(PORTAL_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https' || publicUrl.startsWith('https:'),
    expires: new Date(expiresAt),
  });
}

export function clearPortalCookie(reply: FastifyReply): void {
  reply.clearCookie(PORTAL_COOKIE, { path: '/' });
}
