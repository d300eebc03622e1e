import { ACCOUNT_THROTTLE, ADDRESS_THROTTLE, afterFailure, lockedFor } from '../core/domain/throttle.js';
import { errors } from '../core/errors.js';
import type { Db } from '../storage/database.js';
import * as throttle from '../storage/queries/throttle.js';
import type { AppContext } from './context.js';

export interface SignInGuard {
  /** Records the failure against the account and the address, and throws the one answer for all failures. */
  fail(): Promise<never>;
  /** Forgets the account's failures, in the sign-in's transaction. */
  succeed(db: Db): Promise<void>;
}

/**
 * Guards one sign-in attempt, for admins and portal users alike (`realm` keeps their accounts
 * apart): refused at once while the account or the address is locked; a failure counts against
 * both. Unknown accounts are counted like known ones, so the answers never tell them apart.
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
  const [accountState, addressState] = await Promise.all([
    throttle.readThrottle(ctx.db, accountKey),
    throttle.readThrottle(ctx.db, addressKey),
  ]);
  const wait = Math.max(lockedFor(accountState, now), lockedFor(addressState, now));
  if (wait > 0) throw errors.tooManyAttempts(Math.ceil(wait / 1000));
  return {
    async fail() {
      await throttle.writeThrottle(ctx.db, accountKey, afterFailure(accountState, ACCOUNT_THROTTLE, now));
      await throttle.writeThrottle(ctx.db, addressKey, afterFailure(addressState, ADDRESS_THROTTLE, now));
      throw errors.invalidCredentials();
    },
    succeed: (db) => throttle.clearThrottle(db, accountKey),
  };
}
