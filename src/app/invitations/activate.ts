import { type Actor, systemActor } from '../../core/access/policy.js';
import { emailKey } from '../../core/domain/email.js';
import type { ThrottleRule } from '../../core/domain/throttle.js';
import { appError, errors, waitText } from '../../core/errors.js';
import { hashPassword, passwordProblem } from '../../security/passwords.js';
import { hashSecret } from '../../security/tokens.js';
import type { Db } from '../../storage/database.js';
import * as invitations from '../../storage/queries/invitations.js';
import * as portal from '../../storage/queries/portal.js';
import * as throttle from '../../storage/queries/throttle.js';
import type { AppContext } from '../context.js';
import { audit, inTransaction } from '../shared.js';
import { mailSettings, writePasswordReset } from './invite.js';

/**
 * Links from emails: activation (set a first password, the user becomes active) and password
 * reset. A link works once and until its invitation expires. Unknown, used, replaced and expired
 * links all get the same answer, so an answer never tells which of them a guess hit; except an
 * activation link whose account is active now, which says so and points to the sign-in. That
 * answer goes only to whoever holds a link that was really sent (a 256-bit secret matched by its
 * hash), so it tells a guesser nothing, and it names no account.
 */
export const linkInvalid = () => appError('invitation.link_invalid');
export const accountActive = () => appError('invitation.account_active');

export const weakPassword = (problem: string) =>
  errors.field('password.too_weak', 'password', `Choose a stronger password: ${problem}`);

export type LinkPurpose = 'activation' | 'reset';

/** Statuses whose holder may use a link of this purpose. */
const USABLE: Record<LinkPurpose, readonly string[]> = {
  activation: ['pending', 'active'],
  reset: ['active'],
};

/** The open invitation and its user a link stands for, or the one same error. */
async function openLink(db: Db, token: string, purpose: LinkPurpose, now: string) {
  if (token.length < 20 || token.length > 200) throw linkInvalid();
  const invitation = await invitations.findByTokenHash(db, hashSecret(token));
  if (invitation?.purpose === 'activation' && invitation.status !== 'open') {
    const holder = await portal.findAccount(db, invitation.userId);
    if (holder?.status === 'active' && holder.passwordHash !== null) throw accountActive();
  }
  if (
    !invitation ||
    invitation.purpose !== purpose ||
    invitation.status !== 'open' ||
    invitation.expiresAt <= now
  ) {
    throw linkInvalid();
  }
  const user = await portal.findAccount(db, invitation.userId);
  if (!user || !USABLE[purpose].includes(user.status)) throw linkInvalid();
  // An active user with a password was activated already: an old invitation link is spent.
  if (purpose === 'activation' && user.status === 'active' && user.passwordHash !== null)
    throw accountActive();
  return { invitation, user };
}

/** For the page a link opens: whether the link still works, without using it. */
export async function checkLink(
  ctx: AppContext,
  token: string,
  purpose: LinkPurpose,
): Promise<{ portalName: string; email: string }> {
  const { user } = await openLink(ctx.db, token, purpose, ctx.now().toISOString());
  return { portalName: (await mailSettings(ctx.db)).portalName, email: user.email };
}

const portalActor = (user: { id: number; email: string; customerId: number }): Actor =>
  systemActor(`portal user ${user.email}`, { role: 'viewer', customerId: user.customerId });

/**
 * Uses a link: checks the password, hashes it (Argon2id), and in one transaction uses the link
 * (compare-and-set: of two tabs, one wins), sets the password and, for activation, makes the user
 * active. A reset ends the user's portal sessions.
 */
export async function useLink(
  ctx: AppContext,
  input: { token: string; password: string },
  purpose: LinkPurpose,
): Promise<{ email: string }> {
  await openLink(ctx.db, input.token, purpose, ctx.now().toISOString());
  const problem = passwordProblem(input.password);
  if (problem) throw weakPassword(problem);
  const hash = await hashPassword(input.password);
  return inTransaction(ctx, async (db) => {
    const at = ctx.now().toISOString();
    const { invitation, user } = await openLink(db, input.token, purpose, at);
    if (!(await invitations.consume(db, invitation.id, at))) throw linkInvalid();
    await portal.setPassword(db, user.id, hash, at, purpose === 'activation');
    if (purpose === 'reset') await portal.deleteUserSessions(db, user.id);
    await audit(ctx, db, portalActor(user), {
      action: purpose === 'activation' ? 'user.activate' : 'user.password_reset',
      entityType: 'user',
      entityId: user.id,
      customerId: user.customerId,
      details: { invitationId: invitation.id },
    });
    return { email: user.email };
  });
}

/** Requests per account before more are ignored (no email): 3 an hour. */
export const RESET_ACCOUNT_THROTTLE: ThrottleRule = {
  free: 3,
  windowMs: 3_600_000,
  window: 'fixed',
  delayMs: 3_600_000,
  maxDelayMs: 3_600_000,
};
/** Per address as for signing in: 30 requests in 15 minutes, then refused (429). */
export const RESET_ADDRESS_THROTTLE: ThrottleRule = {
  free: 30,
  windowMs: 15 * 60_000,
  window: 'fixed',
  delayMs: 15 * 60_000,
  maxDelayMs: 15 * 60_000,
};

/**
 * Asks for a password reset email. The answer is the same whether or not the email belongs to an
 * active user; a few requests per account an hour send email, more are ignored quietly, and an
 * address that asks too often is told to wait. Each request is counted and checked in one statement.
 */
export async function requestPasswordReset(
  ctx: AppContext,
  input: { email: string; address: string },
): Promise<void> {
  const now = ctx.now().getTime();
  const accountKey = `portal-reset:${emailKey(input.email)}`;
  const addressKey = `portal-reset-address:${input.address}`;
  const byAddress = await throttle.countAttempt(ctx.db, addressKey, RESET_ADDRESS_THROTTLE, now);
  if (byAddress.refused) {
    const seconds = Math.ceil(byAddress.retryAfterMs / 1000);
    throw appError(
      'auth.too_many_attempts',
      `Too many password reset requests from your address. Try again in ${waitText(seconds)}.`,
      { retryAfterSeconds: seconds },
    );
  }
  if ((await throttle.countAttempt(ctx.db, accountKey, RESET_ACCOUNT_THROTTLE, now)).refused) return;
  const user = await portal.findAccountByLogin(ctx.db, emailKey(input.email));
  if (
    user?.status !== 'active' ||
    user.passwordHash === null ||
    emailKey(user.email) !== emailKey(input.email)
  )
    return;
  await inTransaction(ctx, async (db) => {
    const at = ctx.now().toISOString();
    await writePasswordReset(db, user, at);
    await audit(ctx, db, portalActor(user), {
      action: 'user.password_reset_requested',
      entityType: 'user',
      entityId: user.id,
      customerId: user.customerId,
    });
  });
}
