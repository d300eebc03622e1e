import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Changes to the API sent by a browser from another site are refused, whatever cookies they carry:
 * a POST, PUT, PATCH or DELETE under /api/ whose `Origin` header names neither PUBLIC_URL's origin
 * nor the host the request was sent to gets 403 `auth.origin_forbidden`. This covers
 * cookie-authenticated changes (admin and portal) and signing in (so no other site can sign a
 * browser into an account of its choosing). Requests without an Origin (the CLI, scripts) are let
 * through, and so are requests with `Authorization` (an API token, which no browser sends by itself).
 */
export function registerOriginCheck(app: FastifyInstance, publicUrl: string): void {
  const publicOrigin = new URL(publicUrl).origin;
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method) || !request.url.startsWith('/api/')) return;
    if (request.headers.authorization !== undefined) return;
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (origin === publicOrigin || sameHost(origin, request)) return;
    throw new AppError(
      'auth.origin_forbidden',
      403,
      `This change was sent from a page of ${origin}, which is not Roster (${publicOrigin}). Roster accepts changes and sign-ins only from its own pages. Scripts may leave the Origin header out or use an API token; if people reach Roster at another address, set PUBLIC_URL to it.`,
      { origin },
    );
  });
}

/** Whether the Origin names the host (and port) the request was sent to. */
function sameHost(origin: string, request: FastifyRequest): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed page, a file) and anything unreadable
  }
  const host = request.headers.host;
  if (host === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const normal = (h: string, port: string) => (h.includes(':') && !h.endsWith(']') ? h : `${h}:${port}`);
  return normal(url.host, defaultPort).toLowerCase() === normal(host, defaultPort).toLowerCase();
}
