import type { ThrottleState } from '../../core/domain/throttle.js';
import type { Db } from '../database.js';

export async function readThrottle(db: Db, key: string): Promise<ThrottleState | undefined> {
  const r = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  return (
    r && {
      failures: r.failures,
      windowStartedAt: Number(r.window_started_at),
      lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
    }
  );
}

export async function writeThrottle(db: Db, key: string, s: ThrottleState): Promise<void> {
  const values = { failures: s.failures, window_started_at: s.windowStartedAt, locked_until: s.lockedUntil };
  await db
    .insertInto('login_throttle')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
