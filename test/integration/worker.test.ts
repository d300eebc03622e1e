import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roster, serve, spawnRoster } from '../support/cli.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { until } from '../support/wait.js';

/**
 * Scale-out: a web process that runs no jobs (RUN_JOBS=false) and a separate `roster worker`
 * process sharing one PostgreSQL database. The commit requested through the web process is done
 * by the worker.
 */
const ADMIN = { email: 'scale@admins.example', password: 'scale out password' };
let db: TestDb;

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

describe.runIf(process.env.ROSTER_TEST_DB === 'postgres')('web and worker processes on PostgreSQL', () => {
  it('a commit asked of a web-only process is carried out by the worker process', async () => {
    const env = { ...db.env, ROSTER_ADMIN_EMAIL: ADMIN.email, ROSTER_ADMIN_PASSWORD: ADMIN.password };
    const web = await serve({ ...env, RUN_JOBS: 'false' });
    const worker = spawnRoster(['worker'], { ...env, LOG_LEVEL: 'info' });
    try {
      const login = await fetch(`${web.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const headers = { cookie, 'x-csrf-token': csrfToken };
      const customer = (await (
        await fetch(`${web.url}/api/v1/customers`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Scale Co' }),
        })
      ).json()) as { id: number };
      const form = new FormData();
      form.set('options', JSON.stringify({ customerId: customer.id }));
      form.set(
        'file',
        new Blob([stringify([['Email'], ['w1@scale.example'], ['w2@scale.example']])]),
        'w.csv',
      );
      const created = (await (
        await fetch(`${web.url}/api/v1/imports`, { method: 'POST', headers, body: form })
      ).json()) as {
        id: number;
      };
      await fetch(`${web.url}/api/v1/imports/${created.id}/commit`, { method: 'POST', headers });
      const status = await until(
        'the import committed by the worker',
        async () =>
          (
            (await (await fetch(`${web.url}/api/v1/imports/${created.id}`, { headers })).json()) as {
              status: string;
            }
          ).status,
        (s) => s === 'completed',
        20_000,
      );
      expect(status).toBe('completed');
      expect(worker.output()).toMatch(/Roster worker is running/);
      const lease = await db.ctx.db
        .selectFrom('imports')
        .select(['lease_owner'])
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(lease.lease_owner).toBeNull();
    } finally {
      web.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      await Promise.all([once(web.child, 'exit'), once(worker.child, 'exit')]);
    }
  });
});

describe('roster worker', () => {
  it('refuses to start without DATABASE_URL and says why', () => {
    const r = roster(['worker'], { DATA_DIR: '/tmp/roster-worker-none', DATABASE_URL: '' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/roster worker needs DATABASE_URL/);
  });
});
