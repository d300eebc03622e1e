import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, signedIn } from '../support/cli.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { until } from '../support/wait.js';

/**
 * A commit killed mid-way (kill -9, no chance to clean up) resumes on the next start and ends with
 * exactly the users the file holds: none lost, none created twice.
 */
const ROWS = 40_000;
const ADMIN = { email: 'crash@admins.example', password: 'crash test password' };
let db: TestDb;
let env: Record<string, string>;

beforeAll(async () => {
  db = await openTestDb();
  env = {
    ...db.env,
    ROSTER_ADMIN_EMAIL: ADMIN.email,
    ROSTER_ADMIN_PASSWORD: ADMIN.password,
    JOB_LEASE_SECONDS: '2',
  };
});
afterAll(() => db.close());

describe(`a commit killed mid-way on ${process.env.ROSTER_TEST_DB}`, () => {
  it('resumes after a restart and creates every user exactly once', async () => {
    const first = await serve(env);
    const call = await signedIn(ADMIN, first.url);
    const customer = (await call('POST', '/api/v1/customers', { name: 'Crash Ltd' })) as { id: number };
    const rows = [['Email', 'First name', 'Employee number']];
    for (let i = 0; i < ROWS; i++)
      rows.push([`user${i}@crash.example`, `User ${i}`, String(i).padStart(8, '0')]);
    const form = new FormData();
    form.set('target', 'users');
    form.set('options', JSON.stringify({ customerId: customer.id, mode: 'insert' }));
    form.set('file', new Blob([stringify(rows)]), 'crash.csv');
    const created = (await call('POST', '/api/v1/imports', form)) as { id: number; rows: { valid: number } };
    expect(created.rows.valid).toBe(ROWS);
    await call('POST', `/api/v1/imports/${created.id}/commit`);

    // Kill it as soon as some, but not all, rows are written.
    await until(
      'some rows written',
      async () =>
        ((await call('GET', `/api/v1/imports/${created.id}`)) as { progress: { done: number } }).progress
          .done,
      (done) => done > 0,
      20_000,
      10,
    );
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const partial = await db.ctx.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(partial.n)).toBeGreaterThan(0);
    expect(Number(partial.n)).toBeLessThan(ROWS);

    const second = await serve(env);
    try {
      const again = await signedIn(ADMIN, second.url);
      const view = await until(
        'the import to finish after the restart',
        async () =>
          (await again('GET', `/api/v1/imports/${created.id}`)) as {
            status: string;
            counts: Record<string, number>;
          },
        (v) => v.status === 'completed' || v.status === 'failed',
        120_000,
        200,
      );
      expect(view.status).toBe('completed');
      expect(view.counts).toMatchObject({ created: ROWS, failed: 0, skipped: 0 });
      const users = await db.ctx.db
        .selectFrom('users')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.count<number>('email_key').distinct().as('emails'),
        ])
        .where('email_key', 'like', '%@crash.example')
        .executeTakeFirstOrThrow();
      expect(Number(users.n)).toBe(ROWS);
      expect(Number(users.emails)).toBe(ROWS);
      const results = await db.ctx.db
        .selectFrom('import_rows')
        .select(['result', (eb) => eb.fn.countAll<number>().as('n')])
        .where('import_id', '=', created.id)
        .groupBy('result')
        .execute();
      expect(results.map((r) => [r.result, Number(r.n)])).toEqual([['created', ROWS]]);
      const restorePoint = await db.ctx.db
        .selectFrom('import_changes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('import_id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(Number(restorePoint.n)).toBe(ROWS);
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  });
});
