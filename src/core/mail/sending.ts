/**
 * The rules of sending: the shared rate (one sending slot after another, spaced by the rate, with
 * an optional warm-up after a quiet spell), and the back-off between tries of one email.
 */
export interface RateState {
  /** Epoch ms of the next free slot. */
  nextSlotAt: number;
  /** Epoch ms when the current run of sending began (for the warm-up). */
  runStartedAt: number;
}

export interface RateRule {
  perMinute: number;
  /** The ramp from a tenth of the rate to all of it; 0: no warm-up. */
  warmupMs: number;
}

/** A run begins after this much quiet: no slot taken for a minute (or two intervals at slow rates). */
export function quietGapMs(rule: RateRule): number {
  return Math.max(60_000, (2 * 60_000) / rule.perMinute);
}

/** Takes the next slot: when this email may go, and the state for whoever comes next. */
export function takeSlot(state: RateState, rule: RateRule, now: number): { slotAt: number; next: RateState } {
  const interval = 60_000 / rule.perMinute;
  const freshRun = now - state.nextSlotAt > quietGapMs(rule);
  const runStartedAt = freshRun ? now : state.runStartedAt;
  const slotAt = Math.max(state.nextSlotAt, now);
  const factor = rule.warmupMs > 0 ? Math.min(1, 0.1 + (0.9 * (slotAt - runStartedAt)) / rule.warmupMs) : 1;
  return { slotAt, next: { nextSlotAt: slotAt + interval / factor, runStartedAt } };
}

/**
 * The slots one round of a worker takes at once: one after another from `now`, as many as fall
 * within `horizonMs` (at most `max`). Empty when even the first is further away than that: the
 * worker then waits instead of holding a claim for long. Each slot comes with the state after it,
 * so that taking fewer (fewer emails were due) writes the state of the last one taken.
 */
export function planSlots(
  state: RateState,
  rule: RateRule,
  now: number,
  horizonMs: number,
  max: number,
): { slotAt: number; next: RateState }[] {
  const slots: { slotAt: number; next: RateState }[] = [];
  let current = state;
  while (slots.length < max) {
    const slot = takeSlot(current, rule, now);
    if (slot.slotAt > now + horizonMs) break;
    slots.push(slot);
    current = slot.next;
  }
  return slots;
}

export const MAX_RETRY_DELAY_MS = 3_600_000;

/** The wait before the next try after `attempts` tries: doubling from `baseMs`, at most an hour. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.round(Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS));
}

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['queued', 'sending', 'sent', 'failed'];

/** What became of one try. */
export type SendOutcome =
  | { kind: 'sent' }
  | { kind: 'temporary'; reason: string }
  | { kind: 'permanent'; reason: string };

/** After a failed try: try again later, or give up (permanent failure, or out of attempts). */
export function afterFailure(
  outcome: Exclude<SendOutcome, { kind: 'sent' }>,
  attempts: number,
  rule: { maxAttempts: number; retryBaseMs: number },
  now: number,
): { status: 'queued'; nextAttemptAt: number } | { status: 'failed' } {
  if (outcome.kind === 'permanent' || attempts >= rule.maxAttempts) return { status: 'failed' };
  return { status: 'queued', nextAttemptAt: now + retryDelayMs(attempts, rule.retryBaseMs) };
}
