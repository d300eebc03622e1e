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
/** The first administrator's session, for changing settings. */
let adminHeaders: Record<string, string>;
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
  adminHeaders = headers;
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

describe(`roster import --split against a server on ${process.env.ROSTER_TEST_DB}`, () => {
  const setMaxRows = (importMaxRows: number) =>
    fetch(`${server.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: adminHeaders,
      body: JSON.stringify({ importMaxRows }),
    });
  const usersMatching = async (search: string) => {
    const res = await fetch(`${server.url}/api/v1/users?q=${search}&limit=1`, {
      headers: { authorization: `Bearer ${env.ROSTER_TOKEN}` },
    });
    return ((await res.json()) as { total: number }).total;
  };
  const rows = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => [
      `${prefix}${i + 1}@acme.example`,
      'Acme',
      i % 2 === 0 ? 'Manager' : '',
    ]);

  beforeAll(async () => {
    expect((await setMaxRows(40)).status).toBe(200);
  });
  afterAll(async () => {
    await setMaxRows(100_000);
  });

  it('refuses a file over the row limit, pointing at --split; nothing is created', async () => {
    const file = path.join(dir, 'over.csv');
    fs.writeFileSync(file, stringify([['Email', 'Customer', 'Roles'], ...rows('over', 41)]));
    const r = roster(['import', file, '--wait'], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /import them one after the other: "roster import FILE --split" does both\. \[import\.too_many_rows\]/,
    );
    expect(await usersMatching('over')).toBe(0);
  });

  it('validates every part first, then commits them one after another', async () => {
    const file = path.join(dir, 'many.csv');
    fs.writeFileSync(file, stringify([['Email', 'Customer', 'Roles'], ...rows('many', 100)]));
    const r = roster(['import', file, '--split', '--mode', 'upsert', '--out', dir], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /many\.csv: 100 rows, over the server's limit of 40 rows .*: split into 3 parts\./,
    );
    expect(r.stdout).toMatch(
      /Part 1 of 3 \(rows 2–41 of the file\):\nImport \d+: 40 rows read, 40 valid, 0 invalid\./,
    );
    expect(r.stdout).toMatch(
      /Part 3 of 3 \(rows 82–101 of the file\):\nImport \d+: 20 rows read, 20 valid, 0 invalid\./,
    );
    // Every part is validated before the first commit.
    expect(r.stdout.lastIndexOf('rows read')).toBeLessThan(r.stdout.indexOf('Committing'));
    expect(r.stdout).toMatch(/All 3 parts: 100 created, 0 updated, 0 unchanged, 0 skipped, 0 failed\./);
    const success = [...r.stdout.matchAll(/Success file: (\S+)/g)].map((m) => path.basename(m[1]!));
    expect(success).toHaveLength(3);
    expect(success[0]).toMatch(/^many-part-001-import-\d+-success\.csv$/);
    expect(await usersMatching('many')).toBe(100);
  });

  it('with --atomic, commits no part when any part has an invalid row', async () => {
    const file = path.join(dir, 'atomic.csv');
    fs.writeFileSync(
      file,
      stringify([['Email', 'Customer', 'Roles'], ...rows('atomic', 90), ['not-an-email', 'Acme', '']]),
    );
    const r = roster(['import', file, '--split', '--atomic'], env);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(
      /Part 3 of 3 \(rows 82–92 of the file\):\nImport \d+: 11 rows read, 10 valid, 1 invalid\./,
    );
    expect(r.stdout).toMatch(/1 row\(s\) are invalid and --atomic is on: no part was committed\./);
    expect(r.stdout).not.toMatch(/Committing/);
    expect(await usersMatching('atomic')).toBe(0);
  });

  it('commits nothing when a row repeats an email of an earlier part', async () => {
    const file = path.join(dir, 'repeat.csv');
    const data = rows('rep', 50);
    data[44]![0] = ' REP3@acme.example';
    fs.writeFileSync(file, stringify([['Email', 'Customer', 'Roles'], ...data]));
    const r = roster(['import', file, '--split'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(
      /1 row\(s\) repeat a value of an earlier part \(each part was checked on its own; these are across parts\):\n {2}row 46, Email: "REP3@acme\.example" is also in row 4\.\nNothing was committed: keep one row of each and run again\./,
    );
    expect(r.stdout).not.toMatch(/Committing/);
    expect(await usersMatching('rep')).toBe(0);
  });

  it('roster split writes the parts without a server', () => {
    const out = path.join(dir, 'parts');
    const r = roster(['split', path.join(dir, 'many.csv'), '--rows', '30', '--out', out], {});
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/many-part-004\.csv: 10 rows \(rows 92–101 of the file\), [\d,]+ bytes/);
    expect(r.stdout).toMatch(/4 part\(s\), 100 rows in all\./);
    expect(fs.readdirSync(out)).toEqual([
      'many-part-001.csv',
      'many-part-002.csv',
      'many-part-003.csv',
      'many-part-004.csv',
    ]);
    const bad = roster(['split', path.join(dir, 'many.csv'), '--rows', '0'], {});
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('roster: --rows must be a whole number of at least 1, not "0".\n');
  });
});

describe(`roster import of records owner by owner on ${process.env.ROSTER_TEST_DB}`, () => {
  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: adminHeaders,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const ownedBy = async (email: string) => {
    const users = (await api('GET', `/api/v1/users?q=${encodeURIComponent(email)}`)).items as {
      id: number;
      email: string;
    }[];
    const id = users.find((u) => u.email === email)!.id;
    const records = await api('GET', `/api/v1/records?type=customers&ownerUserId=${id}&limit=500`);
    return (records.items as { key: string }[]).map((r) => r.key).sort();
  };

  beforeAll(async () => {
    const customers = (await api('GET', '/api/v1/customers')) as unknown as { id: number; name: string }[];
    const acme = customers.find((c) => c.name === 'Acme')!.id;
    for (const [i, who] of ['rita', 'sam', 'tom'].entries()) {
      await api('POST', '/api/v1/users', {
        email: `${who}@reps.example`,
        firstName: who,
        lastName: 'Rep',
        customerId: acme,
        employeeNumber: `00${i + 1}`,
      });
    }
  });

  it('imports all included owners with --owner-by and --exclude, printing each owner’s result', async () => {
    const file = path.join(dir, 'reps.csv');
    fs.writeFileSync(
      file,
      stringify([
        ['Employee no', 'Customer number', 'Name'],
        ['001', 'R1', 'Rita one'],
        ['002', 'S1', 'Sam one'],
        ['003', 'T1', 'Tom one'],
        ['1', 'X1', 'Nobody'],
        ['001', 'R2', 'Rita two'],
      ]),
    );
    const r = roster(
      [
        'import',
        file,
        '--target',
        'customers',
        '--owner-by',
        'employee-number',
        '--exclude',
        'SAM@reps.example',
        '--wait',
        '--out',
        dir,
      ],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Owners: 3 found, 2 to import\./);
    expect(r.stdout).toMatch(/ {2}sam@reps\.example \(002\): 1 row\(s\), 1 valid, 0 invalid \(excluded\)/);
    expect(r.stdout).toMatch(/Rows whose owner matches no user: 1\.\n {2}"1": 1 row\(s\), first in row 5\./);
    expect(r.stdout).toMatch(/completed: 3 created/);
    expect(r.stdout).toMatch(/ {2}rita@reps\.example: imported: 2 created, 0 updated/);
    expect(r.stdout).toMatch(/ {2}sam@reps\.example: excluded/);
    expect(r.stdout).toMatch(/ {2}tom@reps\.example: imported: 1 created/);
    expect(await ownedBy('rita@reps.example')).toEqual(['R1', 'R2']);
    expect(await ownedBy('sam@reps.example')).toEqual([]);

    const bad = roster(['import', file, '--target', 'customers', '--owner-by', 'name'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--owner-by takes email or employee-number, not "name"\./);
  });

  it('--split keeps each owner’s rows in one part and every part within the owner limit', async () => {
    const setMaxOwners = (importMaxOwners: number) => api('PATCH', '/api/v1/settings', { importMaxOwners });
    await setMaxOwners(2);
    try {
      const file = path.join(dir, 'split-reps.csv');
      fs.writeFileSync(
        file,
        stringify([
          ['Owner', 'Customer number', 'Name'],
          ['rita@reps.example', 'SR1', 'a'],
          ['sam@reps.example', 'SS1', 'b'],
          ['tom@reps.example', 'ST1', 'c'],
          ['rita@reps.example', 'SR2', 'd'],
          ['tom@reps.example', 'ST2', 'e'],
        ]),
      );
      const over = roster(['import', file, '--target', 'customers'], env);
      expect(over.status).toBe(1);
      expect(over.stderr).toMatch(/roster import FILE --split.*\[import\.too_many_owners\]/);
      const r = roster(['import', file, '--target', 'customers', '--split', '--out', dir], env);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/split into 2 parts/);
      expect(r.stdout).toMatch(/Part 1 of 2 \(rows 2–5 of the file\):\nImport \d+: 3 rows read, 3 valid/);
      expect(r.stdout).toMatch(/Part 2 of 2 \(rows 4–6 of the file\):\nImport \d+: 2 rows read, 2 valid/);
      expect(r.stdout).toMatch(/All 2 parts: 5 created/);
      expect(await ownedBy('tom@reps.example')).toEqual(['ST1', 'ST2', 'T1']);
    } finally {
      await setMaxOwners(100);
    }
  });
});

describe(`roster import --first-rows against a server on ${process.env.ROSTER_TEST_DB}`, () => {
  it('commits the first rows, says how to go on, and import-commit commits the rest', () => {
    const file = path.join(dir, 'first.csv');
    fs.writeFileSync(
      file,
      stringify([
        ['Email', 'Customer'],
        ['f1@acme.example', 'Acme'],
        ['f2@acme.example', 'Acme'],
        ['f3@acme.example', 'Acme'],
      ]),
    );
    const r = roster(['import', file, '--wait', '--first-rows', '1', '--out', dir], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/partly_committed: 1 created/);
    const id = /roster import-commit (\d+)/.exec(r.stdout)![1]!;
    expect(r.status).toBe(0);
    const rest = roster(['import-commit', id, '--wait', '--out', dir], env);
    expect(rest.stdout).toMatch(/completed: 3 created, 0 updated/);
    expect(rest.status).toBe(0);
  });

  it('refuses a --first-rows that is no whole number of at least 1, before uploading', () => {
    const r = roster(['import', path.join(dir, 'first.csv'), '--first-rows', '0'], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--first-rows/);
  });
});

describe(`roster import of a file that deletes users, on ${process.env.ROSTER_TEST_DB}`, () => {
  it('commits the deletes only with --confirm-deletes and their number', async () => {
    const seed = path.join(dir, 'to-delete-seed.csv');
    fs.writeFileSync(
      seed,
      stringify([
        ['Email', 'Customer'],
        ['del1@acme.example', 'Acme'],
        ['del2@acme.example', 'Acme'],
      ]),
    );
    expect(roster(['import', seed, '--wait', '--out', dir], env).status).toBe(0);
    const file = path.join(dir, 'deletes.csv');
    fs.writeFileSync(
      file,
      stringify([
        ['Email', 'Action'],
        ['del1@acme.example', 'delete'],
        ['del2@acme.example', 'delete'],
      ]),
    );
    const refused = roster(['import', file, '--wait', '--out', dir], env);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toMatch(/This import deletes 2 user\(s\): nothing was committed/);
    const id = /roster import-commit (\d+) --confirm-deletes 2/.exec(refused.stdout)![1]!;
    const users = async () =>
      (await (await fetch(`${server.url}/api/v1/users?q=del`, { headers: adminHeaders })).json()) as {
        total: number;
      };
    expect((await users()).total).toBe(2);
    const wrong = roster(['import-commit', id, '--confirm-deletes', '3'], env);
    expect(wrong.status).toBe(2);
    expect(wrong.stdout).toMatch(/deletes 2 user\(s\), not 3: nothing was committed/);
    const done = roster(['import-commit', id, '--confirm-deletes', '2', '--wait', '--out', dir], env);
    expect(done.stdout).toMatch(/completed: .*2 deleted/);
    expect(done.status).toBe(0);
    expect((await users()).total).toBe(0);
  });
});
