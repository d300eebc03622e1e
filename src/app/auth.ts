import type { Actor } from '../core/access/policy.js';
import { emailKey } from '../core/domain/email.js';
import type { Admin } from '../core/domain/entities.js';
import { hashPassword, verifyPassword } from '../security/passwords.js';
import { csrfTokenFor, hashSecret, newSecret } from '../security/tokens.js';
import * as admins from '../storage/queries/admins.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';
import { guardSignIn } from './sign-in-throttle.js';

export interface SignedIn {
  admin: Admin;
  /** The session secret for the cookie. Never stored, never logged. */
  sessionSecret: string;
  csrfToken: string;
  expiresAt: string;
}

const SESSION_PREFIX = 'rss_';
export const API_TOKEN_PREFIX = 'rst_';

/**
 * Sign in with email and password. Throttled per account and per address; the answer for an
 * unknown email, a wrong password and a disabled admin is the same.
 */
export async function login(
  ctx: AppContext,
  input: { email: string; password: string; address: string },
): Promise<SignedIn> {
  const now = ctx.now().getTime();
  const guard = await guardSignIn(ctx, 'admin', emailKey(input.email), input.address);
  const admin = await admins.findAdminByEmailKey(ctx.db, emailKey(input.email));
  const ok = await verifyPassword(admin?.passwordHash ?? null, input.password);
  if (!admin || !ok || admin.disabled) return guard.fail();

  const sessionSecret = newSecret(SESSION_PREFIX);
  const at = ctx.now().toISOString();
  const expiresAt = new Date(now + ctx.config.sessionTtlMs).toISOString();
  await inTransaction(ctx, async (db) => {
    await guard.succeed(db);
    await admins.insertSession(db, {
      tokenHash: hashSecret(sessionSecret),
      adminId: admin.id,
      at,
      expiresAt,
    });
    await admins.touchAdminLogin(db, admin.id, at);
    await audit(ctx, db, actorOf(admin, 'admin'), {
      action: 'admin.login',
      entityType: 'admin',
      entityId: admin.id,
      customerId: admin.customerId,
    });
  });
  return {
    admin: admins.publicAdmin({ ...admin, lastLoginAt: at }),
    sessionSecret,
    csrfToken: csrfTokenFor(sessionSecret),
    expiresAt,
  };
}

export async function logout(ctx: AppContext, sessionSecret: string): Promise<void> {
  await admins.deleteSession(ctx.db, hashSecret(sessionSecret));
}

export interface Authenticated {
  actor: Actor;
  admin: Admin;
}

export async function authenticateSession(
  ctx: AppContext,
  sessionSecret: string,
): Promise<Authenticated | null> {
  const admin = await admins.findSessionAdmin(ctx.db, hashSecret(sessionSecret), ctx.now().toISOString());
  if (!admin || admin.disabled) return null;
  return { actor: actorOf(admin, 'admin'), admin: admins.publicAdmin(admin) };
}

export async function authenticateApiToken(ctx: AppContext, token: string): Promise<Authenticated | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const found = await admins.findTokenAdmin(ctx.db, hashSecret(token), ctx.now().toISOString());
  if (!found || found.admin.disabled) return null;
  // last_used_at is informational: one write per minute at most keeps token traffic cheap.
  const last = found.token.lastUsedAt ? Date.parse(found.token.lastUsedAt) : 0;
  if (ctx.now().getTime() - last > 60_000) {
    await admins.touchToken(ctx.db, found.token.id, ctx.now().toISOString());
  }
  return {
    actor: { ...actorOf(found.admin, 'token'), tokenId: found.token.id },
    admin: admins.publicAdmin(found.admin),
  };
}

export function actorOf(admin: Admin, kind: 'admin' | 'token'): Actor {
  return {
    kind,
    adminId: admin.id,
    role: admin.role,
    customerId: admin.customerId,
    label: kind === 'token' ? `${admin.email} (API token)` : admin.email,
  };
}

export { hashPassword };
