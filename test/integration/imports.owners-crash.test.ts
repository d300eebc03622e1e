import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, signedIn } from '../support/cli.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { until } from '../support/wait.js';

/**
 * "Import all users" killed mid-way (kill -9) resumes on the next start: the owner it was importing
 * is finished with the rows it had not written, the owners not begun follow, and no owner is
 * committed twice (every record created once, none updated or unchanged by a second pass).
 */
const OWNERS = 8;
const ROWS_PER_OWNER = 2000;
const ADMIN = { email: 'owners-crash@admins.example', password: 'owners crash test password' };
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

interface View {
  status: string;
  counts: Record<string, number>;
  progress: { done: number; owners?: { done: number; total: number } };
}

describe(`"import all users" killed mid-way on ${process.env.ROSTER_TEST_DB}`, () => {
  it('resumes after a restart and commits every owner exactly once', { timeout: 240_000 }, async () => {
    const first = await serve(env);
    const call = await signedIn(ADMIN, first.url);
    const customer = (await call('POST', '/api/v1/customers', { name: 'Owners Crash Ltd' })) as {
      id: number;
    };
    for (let o = 0; o < OWNERS; o++) {
      await call('POST', '/api/v1/users', {
        email: `rep${o}@owners-crash.example`,
        firstName: `Rep ${o}`,
        lastName: 'Crash',
        customerId: customer.id,
      });
    }
    const rows = [['Owner', 'Customer number', 'Name']];
    for (let o = 0; o < OWNERS; o++)
      for (let i = 0; i < ROWS_PER_OWNER; i++)
        rows.push([`rep${o}@owners-crash.example`, `C${i}`, `Customer ${i}`]);
    const form = new FormData();
    form.set('target', 'customers');
    form.set('options', JSON.stringify({ customerId: customer.id, mode: 'insert' }));
    form.set('file', new Blob([stringify(rows)]), 'owners-crash.csv');
    const created = (await call('POST', '/api/v1/imports', form)) as { id: number; rows: { valid: number } };
    expect(created.rows.valid).toBe(OWNERS * ROWS_PER_OWNER);
    await call('POST', `/api/v1/imports/${created.id}/commit`);

    // Kill it once at least one owner is done and the job is still at work.
    await until(
      'an owner imported',
      async () => (await call('GET', `/api/v1/imports/${created.id}`)) as View,
      (v) => (v.progress.owners?.done ?? 0) >= 1,
      60_000,
      25,
    );
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const states = await db.ctx.db
      .selectFrom('import_owners')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('import_id', '=', created.id)
      .groupBy('state')
      .execute();
    const byState = Object.fromEntries(states.map((s) => [s.state, Number(s.n)]));
    expect(byState.imported ?? 0).toBeGreaterThanOrEqual(1);
    expect(byState.imported ?? 0).toBeLessThan(OWNERS);

    const second = await serve(env);
    try {
      const again = await signedIn(ADMIN, second.url);
      const view = await until(
        'the import to finish after the restart',
        async () => (await again('GET', `/api/v1/imports/${created.id}`)) as View,
        (v) => v.status === 'completed' || v.status === 'failed',
        120_000,
        200,
      );
      expect(view.status).toBe('completed');
      expect(view.counts).toMatchObject({
        created: OWNERS * ROWS_PER_OWNER,
        updated: 0,
        unchanged: 0,
        failed: 0,
      });
      const owners = (await again('GET', `/api/v1/imports/${created.id}/owners`)) as {
        owners: { state: string; result: Record<string, number> }[];
      };
      expect(owners.owners).toHaveLength(OWNERS);
      for (const o of owners.owners) {
        expect(o.state).toBe('imported');
        expect(o.result).toMatchObject({
          created: ROWS_PER_OWNER,
          updated: 0,
          unchanged: 0,
          skipped: 0,
          failed: 0,
        });
      }
      const records = await db.ctx.db
        .selectFrom('records')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('import_id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(Number(records.n)).toBe(OWNERS * ROWS_PER_OWNER);
      const restorePoint = await db.ctx.db
        .selectFrom('import_changes')
        .select(['owner_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('import_id', '=', created.id)
        .groupBy('owner_id')
        .execute();
      expect(restorePoint).toHaveLength(OWNERS);
      expect(restorePoint.every((c) => Number(c.n) === ROWS_PER_OWNER)).toBe(true);
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  });
});
