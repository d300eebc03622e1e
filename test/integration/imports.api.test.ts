import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

let api: TestApi;
let world: World;
let admin: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

const csv = (rows: string[][]) => stringify(rows);

async function upload(content: string | Buffer, options: object = {}, name = 'people.csv') {
  const body = multipart(
    { target: 'users', options: JSON.stringify({ customerId: world.acme.id, ...options }) },
    { name, content },
  );
  return admin.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
}

const settle = (id: number) => settled(admin, id);

const HEADER = ['E-mail address', 'First name', 'Last name', 'Roles', 'Site', 'Employee number'];

describe(`import of users on ${process.env.ROSTER_TEST_DB}`, () => {
  let importId: number;

  it('reads, maps by synonyms, validates every row and stages it without changing any user', async () => {
    const usersBefore = (await admin.token({ method: 'GET', url: '/api/v1/users' })).json().total;
    const res = await upload(
      csv([
        HEADER,
        ['ann@acme.example', 'Ann', 'Archer', 'Manager', '', '000123'],
        ['not-an-email', 'Bob', 'Baker', '', '', ''],
        ['cy@acme.example', 'Cy', 'Cole', 'manager', 'North', ''],
        ['ANN@acme.example', 'Ann', 'Again', '', '', ''],
        ['di@acme.example', 'Di', 'Dunn', 'Engineer; Manager', 'Moon', ''],
      ]),
    );
    expect(res.statusCode).toBe(201);
    const view = res.json();
    importId = view.id;
    expect(view.status).toBe('validated');
    expect(view.mapping.columns[0]).toMatchObject({
      header: 'E-mail address',
      field: 'email',
      match: 'synonym',
    });
    expect(view.rows).toEqual({ total: 5, valid: 1, invalid: 4 });
    expect(view.errorCodes).toMatchObject({
      'email.invalid': 1,
      'role.unknown': 1,
      'row.duplicate': 1,
      'site.not_found': 1,
    });
    expect((await admin.token({ method: 'GET', url: '/api/v1/users' })).json().total).toBe(usersBefore);
  });

  it('explains each problem with the row, the column, the value and what to do', async () => {
    const res = await admin.token({ method: 'GET', url: `/api/v1/imports/${importId}/rows?filter=invalid` });
    const rows = res.json().items as {
      row: number;
      problems: { code: string; column: string; value: string; message: string }[];
    }[];
    const byRow = new Map(rows.map((r) => [r.row, r.problems]));
    expect(byRow.get(3)![0]).toMatchObject({
      code: 'email.invalid',
      column: 'E-mail address',
      value: 'not-an-email',
    });
    expect(byRow.get(4)![0]).toMatchObject({ code: 'role.unknown', column: 'Roles', value: 'manager' });
    expect(byRow.get(4)![0]!.message).toMatch(/Did you mean "Manager"\?/);
    expect(byRow.get(5)![0]).toMatchObject({ code: 'row.duplicate', column: 'E-mail address' });
    expect(byRow.get(5)![0]!.message).toMatch(/row 2/);
    expect(byRow.get(6)![0]!.message).toMatch(/no site "Moon".*Sites: HQ, North/);
    const byCode = await admin.token({
      method: 'GET',
      url: `/api/v1/imports/${importId}/rows?code=role.unknown`,
    });
    expect(byCode.json().items.map((r: { row: number }) => r.row)).toEqual([4]);
  });

  it('re-validates a fixed cell at once, and the row it duplicated', async () => {
    const fixRole = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${importId}/rows/4`,
      payload: { cells: { Roles: 'Manager' } },
    });
    expect(fixRole.statusCode).toBe(200);
    expect(fixRole.json().rows[0]).toMatchObject({ row: 4, valid: true, problems: [] });
    const fixDup = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${importId}/rows/5`,
      payload: { cells: { 'E-mail address': 'ann.again@acme.example' } },
    });
    expect(fixDup.json().rows.map((r: { row: number; valid: boolean }) => [r.row, r.valid])).toEqual([
      [2, true],
      [5, true],
    ]);
    expect(fixDup.json().import.rows).toEqual({ total: 5, valid: 3, invalid: 2 });
  });

  it('commits in the background and reports counts, files and a notification', async () => {
    const res = await admin.token({ method: 'POST', url: `/api/v1/imports/${importId}/commit` });
    expect(res.statusCode).toBe(202);
    const done = await settle(importId);
    expect(done.status).toBe('completed');
    expect(done.counts).toEqual({ created: 3, updated: 0, unchanged: 0, skipped: 0, failed: 2 });
    const ann = (await admin.token({ method: 'GET', url: '/api/v1/users?q=ann@acme' })).json().items[0];
    expect(ann).toMatchObject({
      employeeNumber: '000123',
      roles: [{ name: 'Manager' }],
      site: { name: 'HQ' },
      importId,
    });

    const success = await admin.token({
      method: 'GET',
      url: `/api/v1/imports/${importId}/files/success?format=csv`,
    });
    expect(success.statusCode).toBe(200);
    expect(success.body).toContain(`ann@acme.example,Ann,Archer,Manager,,000123,2,${ann.id},created`);
    const failure = await admin.token({
      method: 'GET',
      url: `/api/v1/imports/${importId}/files/failure?format=csv`,
    });
    const lines = failure.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('E-mail address,First name,Last name,Roles,Site,Employee number,row,error');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^not-an-email,Bob,Baker.*is not a valid email address/);

    const bell = await admin.token({ method: 'GET', url: '/api/v1/notifications' });
    expect(bell.json().unread).toBe(1);
    expect(bell.json().items[0]).toMatchObject({ kind: 'import.completed', importId });
  });

  it('refuses to commit the same import twice', async () => {
    const again = await admin.token({ method: 'POST', url: `/api/v1/imports/${importId}/commit` });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('import.already_committed');
  });

  it('takes the failure file back as is once fixed', async () => {
    const failure = (
      await admin.token({ method: 'GET', url: `/api/v1/imports/${importId}/files/failure?format=csv` })
    ).body;
    const fixed = failure.replace('not-an-email', 'bob@acme.example').replace(',Moon,', ',North,');
    const res = await upload(fixed, {}, 'people-failure.csv');
    expect(res.statusCode).toBe(201);
    expect(res.json().mapping.unknownColumns).toEqual(['row', 'error']);
    expect(res.json().rows).toEqual({ total: 2, valid: 2, invalid: 0 });
  });

  it('updates existing users in upsert mode, and finds unchanged ones', async () => {
    const res = await upload(
      csv([
        ['Email', 'First name', 'Last name'],
        ['ann@acme.example', 'Ann', 'Archer-Smith'],
        ['cy@acme.example', 'Cy', 'Cole'],
        ['new@acme.example', 'New', 'Person'],
      ]),
    );
    const id = res.json().id;
    // The update that changes nothing is counted apart, as the commit's results count it.
    expect(res.json().planned).toEqual({ update: 1, unchanged: 1, create: 1 });
    await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` });
    const done = await settle(id);
    expect(done.counts).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
  });

  it('skips existing users in insert mode and says why', async () => {
    const res = await upload(csv([['Email'], ['ann@acme.example']]), { mode: 'insert' });
    const rows = (await admin.token({ method: 'GET', url: `/api/v1/imports/${res.json().id}/rows` })).json()
      .items;
    expect(rows[0]).toMatchObject({ valid: true, action: 'skip' });
    expect(rows[0].problems[0].message).toMatch(/mode "insert" only creates/);
  });

  it('counts a row whose user exists in insert mode as skipped, not valid, before and after the commit', async () => {
    const res = await upload(csv([['Email'], ['ann@acme.example'], ['insert-new@acme.example']]), {
      mode: 'insert',
    });
    const id = res.json().id;
    expect(res.json().rows).toEqual({ total: 2, valid: 1, invalid: 0 });
    expect(res.json().planned).toEqual({ create: 1, skip: 1 });
    const valid = await admin.token({ method: 'GET', url: `/api/v1/imports/${id}/rows?filter=valid` });
    expect(valid.json().items.map((r: { row: number }) => r.row)).toEqual([3]);
    await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` });
    const done = await settle(id);
    expect(done.counts).toMatchObject({ created: 1, skipped: 1 });
    expect(done.progress).toMatchObject({ done: 2, total: 2 });
  });

  it('refuses to commit an insert whose every row is skipped, and changes nothing', async () => {
    const res = await upload(csv([['Email'], ['ann@acme.example']]), { mode: 'insert' });
    const id = res.json().id;
    expect(res.json().rows).toEqual({ total: 1, valid: 0, invalid: 0 });
    const commit = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` });
    expect(commit.statusCode).toBe(409);
    expect(commit.json().code).toBe('import.nothing_to_commit');
    expect((await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json().status).toBe(
      'validated',
    );
  });

  it('rolls back: deletes what it created, restores what it changed, leaves alone what changed since', async () => {
    const res = await upload(
      csv([
        ['Email', 'First name'],
        ['ann@acme.example', 'Annabel'],
        ['rb1@acme.example', 'One'],
        ['rb2@acme.example', 'Two'],
      ]),
    );
    const id = res.json().id;
    await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` });
    expect((await settle(id)).counts).toMatchObject({ created: 2, updated: 1 });
    const two = (await admin.token({ method: 'GET', url: '/api/v1/users?q=rb2@' })).json().items[0];
    await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${two.id}`,
      payload: { lastName: 'Edited later' },
    });

    const rb = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect(rb.statusCode).toBe(202);
    const after = await settle(id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({ deleted: 1, restored: 1, conflictCount: 1 });
    expect(after.rollback.conflicts[0]).toMatchObject({
      entityType: 'user',
      entityId: two.id,
      label: 'rb2@acme.example',
      reason: 'The user was changed after the import; left as it is now.',
    });
    const ann = (await admin.token({ method: 'GET', url: '/api/v1/users?q=ann@acme' })).json().items[0];
    expect(ann.firstName).toBe('Ann');
    expect((await admin.token({ method: 'GET', url: '/api/v1/users?q=rb1@' })).json().total).toBe(0);
    expect((await admin.token({ method: 'GET', url: '/api/v1/users?q=rb2@' })).json().items[0].lastName).toBe(
      'Edited later',
    );
    const again = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect(again.json().code).toBe('import.rolled_back');
  });

  it('refuses a file it cannot read and keeps nothing', async () => {
    const before = (await admin.token({ method: 'GET', url: '/api/v1/imports' })).json().items.length;
    const res = await upload(
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      {},
      'broken.xlsx',
    );
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json().code).toMatch(/^import\./);
    expect((await admin.token({ method: 'GET', url: '/api/v1/imports' })).json().items.length).toBe(before);
  });
});

describe(`field errors of an import request on ${process.env.ROSTER_TEST_DB}`, () => {
  const file = csv([['Email'], ['shape@acme.example']]);

  it('names an unknown option by its path, in details.problems', async () => {
    const res = await upload(file, { colour: 'red', mode: 'sideways' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('request.invalid');
    expect(body.message).not.toMatch(/\.:/);
    expect(body.details.problems).toEqual(
      expect.arrayContaining([
        {
          field: 'options.colour',
          code: 'schema.unknown_field',
          message: expect.stringContaining('"colour"'),
        },
        { field: 'options.mode', code: 'schema.invalid_value', message: expect.any(String) },
      ]),
    );
  });

  it('names the multipart field that is not JSON, and the mapping column at fault', async () => {
    const notJson = multipart(
      { target: 'users', options: '{customerId:' },
      { name: 'people.csv', content: file },
    );
    const res = await admin.token({ method: 'POST', url: '/api/v1/imports', ...notJson });
    expect(res.json()).toMatchObject({
      code: 'request.invalid',
      details: { problems: [{ field: 'options', code: 'request.malformed_json' }] },
    });
    const created = (await upload(file)).json();
    const mapped = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${created.id}/mapping`,
      payload: { columns: ['shoeSize'] },
    });
    expect(mapped.statusCode).toBe(400);
    expect(mapped.json().details.problems).toEqual([
      { field: 'columns.0', code: 'mapping.unknown_field', message: expect.stringContaining('shoeSize') },
    ]);
  });

  it('names the field a uniqueness conflict is about', async () => {
    const config = { target: 'users', mapping: { Email: 'email' }, options: {} };
    const first = await admin.token({
      method: 'POST',
      url: '/api/v1/import-configs',
      payload: { ...config, name: 'Shape' },
    });
    expect(first.statusCode, first.body).toBe(201);
    const again = await admin.token({
      method: 'POST',
      url: '/api/v1/import-configs',
      payload: { ...config, name: 'Shape' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'import_config.name_taken',
      details: { problems: [{ field: 'name', code: 'import_config.name_taken' }] },
    });
    const missing = await admin.token({ method: 'GET', url: '/api/v1/import-configs/999999' });
    expect(missing.json().code).toBe('import_config.not_found');
  });
});
