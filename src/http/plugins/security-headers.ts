import type { FastifyInstance } from 'fastify';

/**
 * Headers on every answer (API, console, portal pages, errors): a Content-Security-Policy that
 * allows only Roster's own scripts (no inline script; Mantine writes its styles inline, so styles
 * may be inline), no framing, no content-type sniffing, referrers only within Roster, and HSTS
 * when PUBLIC_URL is https. Swagger UI at /api/docs gets its own, slightly wider policy (the
 * validator badge is an image from validator.swagger.io).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https://validator.swagger.io",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** A year; without includeSubDomains, since Roster may share its domain with other services. */
export const HSTS = 'max-age=31536000';

const DOCS_PREFIX = '/api/docs';

export function registerSecurityHeaders(app: FastifyInstance, publicUrl: string): void {
  const https = publicUrl.startsWith('https:');
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const docs = path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`);
    reply.header('content-security-policy', docs ? DOCS_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (https) reply.header('strict-transport-security', HSTS);
  });
}
