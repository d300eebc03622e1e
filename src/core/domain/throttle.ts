/**
 * Attempt throttling (sign-in, password reset requests), per key: an account or an address.
 *
 * Every attempt is counted before it is checked, in one statement (storage/queries/throttle.ts), so
 * parallel attempts cannot all read the same count. The first `free` attempts go through; the one
 * that reaches `free` opens a delay of `delayMs`, and each attempt after it that waits out the delay
 * opens the next one, twice as long, at most `maxDelayMs`. An attempt within the delay is refused
 * and not counted. The count is forgotten `windowMs` after the window started: the first attempt
 * (`fixed`), or the latest counted one (`sliding`: forgotten only after a quiet spell).
 *
 * A delay, not a lock: whoever waits it out may try again, so nobody can keep an administrator out
 * for good by typing wrong passwords. Unknown accounts are throttled exactly like known ones, so the
 * answers never tell whether an email exists.
 */
export interface ThrottleRule {
  /** Attempts that go through before delays start. */
  free: number;
  windowMs: number;
  window: 'fixed' | 'sliding';
  /** The first delay; each later one is twice the one before. */
  delayMs: number;
  maxDelayMs: number;
}

/**
 * Per account (admin or portal user): 5 attempts, then 30 s, 1, 2, 4, 8 and 15 minutes between
 * attempts; forgotten after an hour without attempts, and at a successful sign-in.
 */
export const ACCOUNT_THROTTLE: ThrottleRule = {
  free: 5,
  windowMs: 60 * 60_000,
  window: 'sliding',
  delayMs: 30_000,
  maxDelayMs: 15 * 60_000,
};

/**
 * Per address: 30 attempts in 15 minutes (a successful sign-in gives its attempt back), then none
 * until the 15 minutes since the 30th have passed. Without TRUST_PROXY every client behind one
 * reverse proxy shares the proxy's address, and so this limit.
 */
export const ADDRESS_THROTTLE: ThrottleRule = {
  free: 30,
  windowMs: 15 * 60_000,
  window: 'fixed',
  delayMs: 15 * 60_000,
  maxDelayMs: 15 * 60_000,
};

/** The delay that the `attempts`-th counted attempt opens, in milliseconds (0: none). */
export function delayAfter(attempts: number, rule: ThrottleRule): number {
  if (attempts < rule.free) return 0;
  const doublings = attempts - rule.free;
  // 2^30 times any delay is past every cap: stop doubling before the number overflows.
  return Math.min(rule.delayMs * 2 ** Math.min(doublings, 30), rule.maxDelayMs);
}

/** The distinct delays of a rule, in order, up to and including the cap: the schedule to write out. */
export function delaySchedule(rule: ThrottleRule): number[] {
  const out: number[] = [];
  for (let n = rule.free; ; n++) {
    const d = delayAfter(n, rule);
    out.push(d);
    if (d >= rule.maxDelayMs) return out;
  }
}

/** One attempt's verdict: refused with the milliseconds left, or let through. */
export type ThrottleVerdict = { refused: true; retryAfterMs: number } | { refused: false; attempts: number };
