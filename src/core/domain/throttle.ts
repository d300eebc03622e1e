/**
 * Sign-in throttling, per account and per address: after `maxFailures` failures inside `windowMs`
 * the key is locked for `lockMs`. Unknown accounts are throttled exactly like known ones, so the
 * answers never tell whether an email exists.
 */
export interface ThrottleState {
  failures: number;
  windowStartedAt: number;
  lockedUntil: number | null;
}

export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const ACCOUNT_THROTTLE: ThrottleRule = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const ADDRESS_THROTTLE: ThrottleRule = { maxFailures: 30, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** Milliseconds until the key may try again, or 0 when it may try now. */
export function lockedFor(state: ThrottleState | undefined, now: number): number {
  if (!state?.lockedUntil) return 0;
  return Math.max(0, state.lockedUntil - now);
}

export function afterFailure(
  state: ThrottleState | undefined,
  rule: ThrottleRule,
  now: number,
): ThrottleState {
  const fresh = !state || now - state.windowStartedAt > rule.windowMs;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  const lockedUntil = failures >= rule.maxFailures ? now + rule.lockMs : null;
  return { failures, windowStartedAt, lockedUntil };
}
