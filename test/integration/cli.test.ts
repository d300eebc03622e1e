import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roster, serve } from '../support/cli.js';
import { openTestDb, type TestDb } from '../support/db.js';

let db: TestDb;

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

describe(`roster command on ${process.env.ROSTER_TEST_DB}`, () => {
  it('migrate reports an up-to-date database', () => {
    const r = roster(['migrate'], db.env);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/database is up to date/);
  });

  it('admin create makes a scoped admin and prints a generated password once', () => {
    const r = roster(['admin', 'create', '--email', 'cli.viewer@admins.example', '--role', 'viewer'], db.env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Created viewer cli\.viewer@admins\.example/);
    expect(r.stdout).toMatch(/password: \S{20,}/);
  });

  it('admin create refuses a bad role and a bad customer id with one clear line', () => {
    const role = roster(['admin', 'create', '--email', 'x@admins.example', '--role', 'root'], db.env);
    expect(role.status).toBe(1);
    expect(role.stderr).toMatch(/Unknown role "root"/);
    const customer = roster(['admin', 'create', '--email', 'y@admins.example', '--customer', 'abc'], db.env);
    expect(customer.status).toBe(1);
    expect(customer.stderr).toMatch(/--customer takes a customer id/);
    const weak = roster(['admin', 'create', '--email', 'z@admins.example', '--password', 'short'], db.env);
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/password: Use at least 10 characters/);
  });

  it('seed --demo loads users in every status once, and a second run changes nothing', async () => {
    const first = roster(['seed', '--demo'], db.env);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Loaded the demo data/);
    const statuses = await db.ctx.db.selectFrom('users').select('status').distinct().execute();
    expect(statuses.map((s) => s.status).sort()).toEqual([
      'active',
      'blocked',
      'disabled',
      'expired',
      'pending',
    ]);
    const contacts = await db.ctx.db.selectFrom('contacts').select('external_id').execute();
    expect(contacts.every((c) => c.external_id?.length === 18)).toBe(true);
    const inactive = await db.ctx.db
      .selectFrom('portal_roles')
      .select('name')
      .where('active', '=', 0)
      .execute();
    expect(inactive).toHaveLength(1);
    const second = roster(['seed', '--demo'], db.env);
    expect(second.stdout).toMatch(/already loaded; nothing changed/);
  });
});

describe('roster serve', () => {
  it('creates the first administrator with a password printed once, serves, and stops cleanly on SIGTERM', async () => {
    const fresh = await openTestDb();
    try {
      const server = await serve(fresh.env);
      expect(server.output()).toMatch(/First start: created the administrator admin@roster\.local/);
      const password = /password: (\S+)/.exec(server.output())![1]!;
      const health = await fetch(`${server.url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@roster.local', password }),
      });
      expect(login.status).toBe(200);
      // The password appears once, on the console, and never in a log line.
      const logLines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      expect(logLines.some((l) => l.includes(password))).toBe(false);
      server.child.kill('SIGTERM');
      const [code] = await once(server.child, 'exit');
      expect(code).toBe(0);
      expect(server.output()).toMatch(/shutting down/);
    } finally {
      await fresh.close();
    }
  });

  it('takes the first administrator from ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD', async () => {
    const fresh = await openTestDb();
    try {
      const server = await serve({
        ...fresh.env,
        ROSTER_ADMIN_EMAIL: 'owner@company.example',
        ROSTER_ADMIN_PASSWORD: 'a long enough password',
      });
      expect(server.output()).not.toMatch(/password:/);
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owner@company.example', password: 'a long enough password' }),
      });
      expect(login.status).toBe(200);
      server.child.kill('SIGINT');
      await once(server.child, 'exit');
    } finally {
      await fresh.close();
    }
  });
});
