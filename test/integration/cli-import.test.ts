import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roster, serve } from '../support/cli.js';
import { openTestDb, type TestDb } from '../support/db.js';

let db: TestDb;
let server: Awaited<ReturnType<typeof serve>>;
let env: Record<string, string>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-cli-'));

beforeAll(async () => {
  db = await openTestDb();
  server = await serve({
    ...db.env,
    ROSTER_ADMIN_EMAIL: 'cli@admins.example',
    ROSTER_ADMIN_PASSWORD: 'cli password long',
  });
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'cli@admins.example', password: 'cli password long' }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken };
  const token = (await (
    await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'cli' }),
    })
  ).json()) as { secret: string };
  await fetch(`${server.url}/api/v1/customers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Acme' }),
  });
  await fetch(`${server.url}/api/v1/roles`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Manager' }),
  });
  env = { ...db.env, ROSTER_URL: server.url, ROSTER_TOKEN: token.secret };
});

afterAll(async () => {
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe(`roster import against a server on ${process.env.ROSTER_TEST_DB}`, () => {
  it('a dry run reports the problems, changes nothing, and exits 2', () => {
    const file = path.join(dir, 'dry.csv');
    fs.writeFileSync(
      file,
      stringify([
        ['Email', 'Customer', 'Roles'],
        ['a@acme.example', 'Acme', 'manager'],
        ['b@acme.example', 'Acme', ''],
      ]),
    );
    const r = roster(['import', file, '--dry-run'], env);
    expect(r.stdout).toMatch(/2 rows read, 1 valid, 1 invalid/);
    expect(r.stdout).toMatch(/row 2, Roles: .*Did you mean "Manager"\?/);
    expect(r.stdout).toMatch(/Dry run: nothing was changed/);
    expect(r.status).toBe(2);
  });

  it('imports with --wait, printing the counts and where the result files are', async () => {
    const file = path.join(dir, 'people.csv');
    fs.writeFileSync(
      file,
      stringify([
        ['Email', 'Customer', 'Roles'],
        ['c@acme.example', 'Acme', 'Manager'],
        ['d@acme.example', 'Acme', ''],
        ['bad', 'Acme', ''],
      ]),
    );
    const r = roster(['import', file, '--wait', '--mode', 'upsert', '--out', dir], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/completed: 2 created, 0 updated, 0 unchanged, 0 skipped, 1 failed/);
    const success = /Success file: (\S+)/.exec(r.stdout)![1]!;
    const failure = /Failure file: (\S+)/.exec(r.stdout)![1]!;
    expect(fs.readFileSync(success, 'utf8')).toContain('c@acme.example,Acme,Manager');
    const failed = fs.readFileSync(failure, 'utf8');
    expect(failed).toContain('bad,Acme,,');
    expect(failed).toContain('is not a valid email address');
  });

  it('downloads a template with existing users', () => {
    const out = path.join(dir, 'users.csv');
    const r = roster(['template', 'users', '--format', 'csv', '--include-existing', '--out', out], env);
    expect(r.status).toBe(0);
    const lines = fs
      .readFileSync(out, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^Email,Username,First name,Last name/);
    expect(lines[1]).toMatch(/^Required,Optional/);
    expect(
      lines
        .slice(2)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(['c@acme.example', 'd@acme.example']);
  });

  it('says plainly when the server cannot be reached', () => {
    const r = roster(['import', path.join(dir, 'people.csv')], { ...env, ROSTER_URL: 'http://127.0.0.1:9' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Cannot reach Roster at http:\/\/127\.0\.0\.1:9/);
  });
});
