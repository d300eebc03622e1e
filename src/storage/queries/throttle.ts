import { type RawBuilder, sql } from 'kysely';
import {
  delayAfter,
  delaySchedule,
  type ThrottleRule,
  type ThrottleVerdict,
} from '../../core/domain/throttle.js';
import type { Db } from '../database.js';

/**
 * Counts one attempt against `key` and says whether it may go on, in one statement: the row is
 * locked while it is read and written (insert … on conflict do update … returning, SQLite ≥ 3.35
 * and PostgreSQL), so parallel attempts each see the count the one before them left.
 * See core/domain/throttle.ts for the rule.
 */
export async function countAttempt(
  db: Db,
  key: string,
  rule: ThrottleRule,
  now: number,
): Promise<ThrottleVerdict> {
  const at = sql<number>`cast(${now} as bigint)`;
  const refused = sql<boolean>`(login_throttle.locked_until is not null and login_throttle.locked_until > ${at})`;
  const fresh = sql<boolean>`(${at} - login_throttle.window_started_at >= ${sql.lit(rule.windowMs)})`;
  const attempts = sql<number>`(case when ${fresh} then 1 else login_throttle.failures + 1 end)`;
  const firstDelay = delayAfter(1, rule);
  const row = await db
    .insertInto('login_throttle')
    .values({
      key,
      failures: 1,
      window_started_at: now,
      locked_until: firstDelay > 0 ? now + firstDelay : null,
      refused: 0,
    })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql`case when ${refused} then login_throttle.failures else ${attempts} end`,
        window_started_at:
          rule.window === 'sliding'
            ? sql`case when ${refused} then login_throttle.window_started_at else ${at} end`
            : sql`case when ${refused} or not ${fresh} then login_throttle.window_started_at else ${at} end`,
        locked_until: sql`case when ${refused} then login_throttle.locked_until else ${nextAttemptAt(attempts, at, rule)} end`,
        refused: sql`case when ${refused} then 1 else 0 end`,
      }),
    )
    .returning(['failures', 'locked_until', 'refused'])
    .executeTakeFirstOrThrow();
  if (Number(row.refused) === 1) {
    return { refused: true, retryAfterMs: Math.max(1, Number(row.locked_until) - now) };
  }
  return { refused: false, attempts: Number(row.failures) };
}

/** When the attempt after the `attempts`-th may come: the rule's schedule written out as a CASE. */
function nextAttemptAt(attempts: RawBuilder<number>, at: RawBuilder<number>, rule: ThrottleRule) {
  const schedule = delaySchedule(rule);
  const steps = schedule
    .slice(0, -1)
    .map((ms, i) => sql`when ${attempts} = ${sql.lit(rule.free + i)} then ${at} + ${sql.lit(ms)}`);
  return sql`case when ${attempts} < ${sql.lit(rule.free)} then null ${sql.join(steps, sql` `)} else ${at} + ${sql.lit(schedule.at(-1)!)} end`;
}

/**
 * Gives one counted attempt back (a successful sign-in, on the address): the delay it opened goes
 * with it. For rules whose delay follows the count only (a fixed window).
 */
export async function giveBackAttempt(db: Db, key: string, rule: ThrottleRule): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set({
      failures: sql`failures - 1`,
      locked_until: sql`case when failures - 1 < ${sql.lit(rule.free)} then null else locked_until end`,
    })
    .where('key', '=', key)
    .where('failures', '>', 0)
    .execute();
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
