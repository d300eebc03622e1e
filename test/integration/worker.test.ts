import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

describe.runIf(process.env.ROSTER_TEST_DB === 'postgres')('processes sharing only PostgreSQL', () => {
  it('uploads on one process, commits on another, and each serves the files: no shared folder', async () => {
    const env = { ...db.env, ROSTER_ADMIN_EMAIL: ADMIN.email, ROSTER_ADMIN_PASSWORD: ADMIN.password };
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'roster-nodir-')));
    const web = await serve({ ...env, RUN_JOBS: 'false', DATA_DIR: dirs[0]! });
    const other = await serve({ ...env, DATA_DIR: dirs[1]! });
    try {
      const session = async (url: string) => {
        const login = await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        });
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const { csrfToken } = (await login.json()) as { csrfToken: string };
        return { cookie, 'x-csrf-token': csrfToken };
      };
      const onWeb = await session(web.url);
      const onOther = await session(other.url);
      const customer = (await (
        await fetch(`${web.url}/api/v1/customers`, {
          method: 'POST',
          headers: { ...onWeb, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'No Shared Folder Co' }),
        })
      ).json()) as { id: number };
      // Over a megabyte, so that the original is kept in several chunks.
      const rows = [['Email', 'First name', 'Notes']];
      for (let i = 0; i < 6000; i++) rows.push([`f${i}@nofolder.example`, `Name ${i}`, 'x'.repeat(200)]);
      rows.push(['not an email', 'Bad', '']);
      const original = Buffer.from(stringify(rows));
      expect(original.length).toBeGreaterThan(1 << 20);
      const form = new FormData();
      form.set('options', JSON.stringify({ customerId: customer.id }));
      form.set('file', new Blob([original]), 'people.csv');
      const created = (await (
        await fetch(`${web.url}/api/v1/imports`, { method: 'POST', headers: onWeb, body: form })
      ).json()) as { id: number };
      await fetch(`${web.url}/api/v1/imports/${created.id}/commit`, { method: 'POST', headers: onWeb });
      await until(
        'the commit, done by the other process',
        async () =>
          (
            (await (
              await fetch(`${other.url}/api/v1/imports/${created.id}`, { headers: onOther })
            ).json()) as {
              status: string;
            }
          ).status,
        (status) => status === 'completed',
        60_000,
        100,
      );
      const download = async (kind: string) => {
        const res = await fetch(`${other.url}/api/v1/imports/${created.id}/files/${kind}?format=csv`, {
          headers: onOther,
        });
        expect(res.status).toBe(200);
        return Buffer.from(await res.arrayBuffer());
      };
      expect((await download('original')).equals(original)).toBe(true);
      const success = (await download('success')).toString('utf8');
      expect(success.split('\r\n').filter((l) => l.includes('@nofolder.example'))).toHaveLength(6000);
      const failure = (await download('failure')).toString('utf8');
      expect(failure).toContain('not an email');
      // Neither data folder holds an import's file.
      for (const dir of dirs) expect(fs.existsSync(path.join(dir, 'imports'))).toBe(false);
    } finally {
      web.child.kill('SIGTERM');
      other.child.kill('SIGTERM');
      await Promise.all([once(web.child, 'exit'), once(other.child, 'exit')]);
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
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
