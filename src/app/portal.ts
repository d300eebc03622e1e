import { foldKey } from '../core/domain/text.js';
import { userValuesOf } from '../core/domain/user.js';
import { errors } from '../core/errors.js';
import { verifyPassword } from '../security/passwords.js';
import { csrfTokenFor, hashSecret, newSecret } from '../security/tokens.js';
import * as portal from '../storage/queries/portal.js';
import { findUser } from '../storage/queries/users.js';
import type { AppContext } from './context.js';
import { mailSettings } from './invitations/invite.js';
import { inTransaction } from './shared.js';
import { guardSignIn } from './sign-in-throttle.js';

/**
 * Portal users signing in: sessions of their own (their own cookie, their own table), apart from
 * admin sessions. Throttled per account and per address like admin sign-in; an unknown account, a
 * wrong password and a user who may not sign in (pending, expired, disabled) get the same answer.
 */
const SESSION_PREFIX = 'rps_';
export interface PortalSignedIn {
  userId: number;
  /** For the cookie only: never stored, never logged. */
  sessionSecret: string;
  csrfToken: string;
  expiresAt: string;
}

export async function portalLogin(
  ctx: AppContext,
  input: { login: string; password: string; address: string },
): Promise<PortalSignedIn> {
  const now = ctx.now().getTime();
  const key = foldKey(input.login);
  const guard = await guardSignIn(ctx, 'portal', key, input.address);
  const user = key === '' ? undefined : await portal.findAccountByLogin(ctx.db, key);
  const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!user || !ok || user.status !== 'active') return guard.fail();
  const sessionSecret = newSecret(SESSION_PREFIX);
  const at = ctx.now().toISOString();
  const expiresAt = new Date(now + ctx.config.sessionTtlMs).toISOString();
  await inTransaction(ctx, async (db) => {
    await guard.succeed(db);
    await portal.insertPortalSession(db, {
      tokenHash: hashSecret(sessionSecret),
      userId: user.id,
      at,
      expiresAt,
    });
  });
  return { userId: user.id, sessionSecret, csrfToken: csrfTokenFor(sessionSecret), expiresAt };
}

export async function portalLogout(ctx: AppContext, sessionSecret: string): Promise<void> {
  await portal.deletePortalSession(ctx.db, hashSecret(sessionSecret));
}

/** The user of a portal session, while the session lasts and the user is active. */
export async function authenticatePortalSession(
  ctx: AppContext,
  sessionSecret: string,
): Promise<{ userId: number } | null> {
  if (!sessionSecret.startsWith(SESSION_PREFIX)) return null;
  const user = await portal.findSessionUser(ctx.db, hashSecret(sessionSecret), ctx.now().toISOString());
  if (user?.status !== 'active') return null;
  return { userId: user.id };
}

/** What the signed-in user sees of their own account. */
export async function portalProfile(ctx: AppContext, userId: number) {
  const user = await findUser(ctx.db, userId);
  if (!user) throw errors.unauthenticated();
  const {
    customerId: _customerId,
    siteId: _siteId,
    contactId: _contactId,
    ...values
  } = userValuesOf({
    ...user,
    customerId: user.customer.id,
    siteId: user.site.id,
  });
  return {
    id: user.id,
    ...values,
    customer: user.customer,
    site: user.site,
    roles: user.roles,
    groups: user.groups,
    activatedAt: user.activatedAt,
  };
}

/** What the portal's pages show before anyone signs in: its name. */
export async function portalInfo(ctx: AppContext): Promise<{ portalName: string }> {
  return { portalName: (await mailSettings(ctx.db)).portalName };
}
