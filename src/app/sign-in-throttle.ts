import { ACCOUNT_THROTTLE, ADDRESS_THROTTLE } from '../core/domain/throttle.js';
import { errors } from '../core/errors.js';
import type { Db } from '../storage/database.js';
import * as throttle from '../storage/queries/throttle.js';
import type { AppContext } from './context.js';

export interface SignInGuard {
  /** Throws the one answer for every failure (the attempt was counted already). */
  fail(): never;
  /** Forgets the account's attempts and gives the address its attempt back, in the sign-in's transaction. */
  succeed(db: Db): Promise<void>;
}

/**
 * Guards one sign-in attempt, for admins and portal users alike (`realm` keeps their accounts
 * apart), before the password is looked at: the attempt is counted against the account, then the
 * address, each in one statement, and refused (429 with the wait) while either is within its delay.
 * An attempt the account refuses does not count against the address. Unknown accounts are counted
 * like known ones, so the answers never tell them apart.
 */
export async function guardSignIn(
  ctx: AppContext,
  realm: 'admin' | 'portal',
  account: string,
  address: string,
): Promise<SignInGuard> {
  const prefix = realm === 'admin' ? '' : 'portal-';
  const accountKey = `${prefix}account:${account}`;
  const addressKey = `${prefix}address:${address}`;
  const now = ctx.now().getTime();
  for (const [key, rule] of [
    [accountKey, ACCOUNT_THROTTLE],
    [addressKey, ADDRESS_THROTTLE],
  ] as const) {
    const verdict = await throttle.countAttempt(ctx.db, key, rule, now);
    if (verdict.refused) {
      throw errors.tooManyAttempts(
        Math.ceil(verdict.retryAfterMs / 1000),
        ACCOUNT_THROTTLE.maxDelayMs / 60_000,
      );
    }
  }
  return {
    fail() {
      throw errors.invalidCredentials();
    },
    async succeed(db) {
      await throttle.clearThrottle(db, accountKey);
      await throttle.giveBackAttempt(db, addressKey, ADDRESS_THROTTLE);
    },
  };
}
