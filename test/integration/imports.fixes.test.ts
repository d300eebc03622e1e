import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

/** Bulk fixes in the review: one statement per fix, the rows changed checked again, kept in the history. */
let api: TestApi;
let world: World;
let admin: Caller;
let viewer: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  viewer = await api.caller('viewer');
});
afterAll(() => api.close());

type View = {
  id: number;
  status: string;
  customerId: number | null;
  rows: { total: number; valid: number; invalid: number };
  errorCodes: Record<string, number>;
};
type Row = {
  row: number;
  cells: string[];
  valid: boolean;
  problems: { code: string; column: string | null; value: string | null; suggestion?: string }[];
};

async function upload(rows: string[][], options: object = { customerId: world.acme.id }) {
  const body = multipart(
    { target: 'users', options: JSON.stringify(options) },
    { name: 'people.csv', content: stringify(rows) },
  );
  const res = await admin.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
  expect(res.statusCode).toBe(201);
  return res.json() as View;
}

async function rowsOf(id: number): Promise<Row[]> {
  const res = await admin.token({ method: 'GET', url: `/api/v1/imports/${id}/rows?limit=1000` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: Row[] }).items;
}

const fix = (id: number, payload: object, who: Caller = admin) =>
  who.token({ method: 'POST', url: `/api/v1/imports/${id}/fixes`, payload });

const HEADER = ['Email', 'First name', 'Site', 'Roles'];

describe(`bulk fixes on ${process.env.ROSTER_TEST_DB}`, () => {
  it('reports every problem of a row at once: a bad cell does not hide the unknown site', async () => {
    const view = await upload([HEADER, ['not-an-email', 'Ann', 'QQ', 'manager']]);
    const [row] = await rowsOf(view.id);
    expect(row!.problems.map((p) => p.code).sort()).toEqual([
      'email.invalid',
      'role.unknown',
      'site.not_found',
    ]);
    expect(row!.problems.find((p) => p.code === 'role.unknown')).toMatchObject({
      value: 'manager',
      suggestion: 'Manager',
    });
  });

  it('lists the distinct invalid values of a column with counts, and a value map fixes them all', async () => {
    const view = await upload([
      HEADER,
      ['a@acme.example', 'A', 'QQ', ''],
      ['b@acme.example', 'B', 'QQ', ''],
      ['c@acme.example', 'C', 'Nrth', ''],
      ['d@acme.example', 'D', 'North', ''],
    ]);
    expect(view.rows).toEqual({ total: 4, valid: 1, invalid: 3 });
    const values = await admin.token({
      method: 'GET',
      url: `/api/v1/imports/${view.id}/fixes/values?column=Site`,
    });
    expect(values.statusCode).toBe(200);
    expect(values.json()).toEqual({
      column: 'Site',
      columnIndex: 2,
      values: [
        { value: 'QQ', count: 2 },
        { value: 'Nrth', count: 1 },
      ],
      distinct: 2,
    });

    const res = await fix(view.id, { kind: 'valueMap', column: 'Site', map: { QQ: 'HQ', Nrth: 'North' } });
    expect(res.statusCode).toBe(200);
    const answer = res.json() as { fix: { rowsChanged: number; kind: string }; import: View };
    expect(answer.fix).toMatchObject({ kind: 'valueMap', rowsChanged: 3, column: 'Site' });
    expect(answer.import.rows).toEqual({ total: 4, valid: 4, invalid: 0 });
    expect((await rowsOf(view.id)).map((r) => r.cells[2])).toEqual(['HQ', 'HQ', 'North', 'North']);

    // The history lists it, and the commit writes the fixed values.
    const history = await admin.token({ method: 'GET', url: `/api/v1/imports/${view.id}/fixes` });
    expect(history.json()).toMatchObject({
      items: [
        { kind: 'valueMap', column: 'Site', details: { map: { QQ: 'HQ', Nrth: 'North' } }, rowsChanged: 3 },
      ],
    });
    await admin.token({ method: 'POST', url: `/api/v1/imports/${view.id}/commit` });
    expect((await settled(admin, view.id)).status).toBe('completed');
    const users = await admin.token({ method: 'GET', url: `/api/v1/users?q=a@acme.example` });
    expect((users.json() as { items: { site: { id: number } }[] }).items[0]!.site.id).toBe(world.acmeHq);
  });

  it('maps the empty cell of a short row into its own column, not onto the end of the row', async () => {
    const view = await upload([
      ['First name', 'Site', 'Roles', 'Email'],
      ['Ann', 'HQ', 'Manager', 'ann.short@acme.example'],
      ['Ben', 'HQ'],
    ]);
    expect(view.rows).toEqual({ total: 2, valid: 1, invalid: 1 });
    // The reader pads a short row to the header; a row staged shorter (by an earlier version, which
    // trimmed trailing empty cells) must still take the value in its own column.
    await sql`update import_rows set cells = ${JSON.stringify(['Ben', 'HQ'])}
      where import_id = ${view.id} and row_number = 3`.execute(api.db.ctx.db);
    const res = await fix(view.id, {
      kind: 'valueMap',
      column: 'Email',
      map: { '': 'ben.short@acme.example' },
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { import: View }).import.rows).toEqual({ total: 2, valid: 2, invalid: 0 });
    const [, ben] = await rowsOf(view.id);
    expect(ben!.cells).toEqual(['Ben', 'HQ', '', 'ben.short@acme.example']);
  });

  it('applies a suggestion to one cell, then to every cell with the same suggestion', async () => {
    const view = await upload([
      HEADER,
      ['a@acme.example', 'A', '', 'manager'],
      ['b@acme.example', 'B', '', 'manager'],
      ['c@acme.example', 'C', '', 'manager'],
    ]);
    const one = await fix(view.id, {
      kind: 'suggestion',
      column: 'Roles',
      value: 'manager',
      suggestion: 'Manager',
      row: 3,
    });
    expect(one.statusCode).toBe(200);
    expect((one.json() as { import: View }).import.rows.invalid).toBe(2);
    expect((await rowsOf(view.id)).map((r) => r.valid)).toEqual([false, true, false]);

    const all = await fix(view.id, {
      kind: 'suggestion',
      column: 'Roles',
      value: 'manager',
      suggestion: 'Manager',
    });
    expect(all.json()).toMatchObject({ fix: { rowsChanged: 2 }, import: { rows: { valid: 3, invalid: 0 } } });
    const history = (
      await admin.token({ method: 'GET', url: `/api/v1/imports/${view.id}/fixes` })
    ).json() as {
      items: { details: object; rowsChanged: number }[];
    };
    expect(history.items.map((f) => f.rowsChanged)).toEqual([1, 2]);
    expect(history.items[0]!.details).toEqual({ value: 'manager', suggestion: 'Manager', row: 3 });
  });

  it('finds and replaces within a column, and a changed key marks or clears duplicates', async () => {
    const view = await upload([
      HEADER,
      ['ann@acme.example', 'A', '', ''],
      ['bob@old.example', 'B', '', ''],
      ['ann@old.example', 'C', '', ''],
    ]);
    expect(view.rows.invalid).toBe(0);
    const res = await fix(view.id, {
      kind: 'replace',
      column: 'Email',
      find: '@old.example',
      replace: '@acme.example',
    });
    expect(res.json()).toMatchObject({ fix: { rowsChanged: 2 }, import: { rows: { valid: 2, invalid: 1 } } });
    const rows = await rowsOf(view.id);
    expect(rows.map((r) => r.cells[0])).toEqual(['ann@acme.example', 'bob@acme.example', 'ann@acme.example']);
    expect(rows[2]!.problems.map((p) => p.code)).toEqual(['row.duplicate']);

    // Undoing it in the same way ends the duplicate, on the row the fix did not change too.
    const back = await fix(view.id, {
      kind: 'valueMap',
      column: '0',
      map: { 'ann@acme.example': 'ann@new.example' },
    });
    expect(back.json()).toMatchObject({
      fix: { rowsChanged: 2 },
      import: { rows: { valid: 2, invalid: 1 } },
    });
    const again = await fix(view.id, {
      kind: 'suggestion',
      column: 'Email',
      value: 'ann@new.example',
      suggestion: 'ann@acme.example',
      row: 2,
    });
    expect(again.json()).toMatchObject({ import: { rows: { valid: 3, invalid: 0 } } });
  });

  it('keeps the duplicate mark of a row whose other column a fix changed', async () => {
    const view = await upload([
      HEADER,
      ['twin@acme.example', 'A', 'QQ', ''],
      ['twin@acme.example', 'B', 'QQ', ''],
    ]);
    const res = await fix(view.id, { kind: 'valueMap', column: 'Site', map: { QQ: 'HQ' } });
    expect(res.json()).toMatchObject({ fix: { rowsChanged: 2 }, import: { rows: { valid: 1, invalid: 1 } } });
    const rows = await rowsOf(view.id);
    expect(rows[0]!.problems).toEqual([]);
    expect(rows[1]!.problems.map((p) => p.code)).toEqual(['row.duplicate']);
  });

  it('refuses bad fixes with a clear error and changes nothing', async () => {
    const view = await upload([HEADER, ['a@acme.example', 'A', 'QQ', '']]);
    const before = await rowsOf(view.id);
    const cases: [object, number, string, string][] = [
      [{ kind: 'valueMap', column: 'Colour', map: { QQ: 'HQ' } }, 400, 'column', 'import.no_such_column'],
      [{ kind: 'valueMap', column: 'Site', map: {} }, 400, 'map', 'schema.custom'],
      [{ kind: 'replace', column: 'Site', find: '', replace: 'x' }, 400, 'find', 'schema.too_small'],
      [{ kind: 'rename', column: 'Site' }, 400, 'kind', ''],
      [
        { kind: 'replace', column: 'Site', find: 'Q', replace: 'H', extra: 1 },
        400,
        'extra',
        'schema.unknown_field',
      ],
    ];
    for (const [payload, status, field, problem] of cases) {
      const res = await fix(view.id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      const body = res.json() as { code: string; details: { problems: { field: string; code: string }[] } };
      expect(body.code).toBe('request.invalid');
      expect(body.details.problems[0]!.field).toBe(field);
      if (problem) expect(body.details.problems[0]!.code).toBe(problem);
    }
    const values = await admin.token({
      method: 'GET',
      url: `/api/v1/imports/${view.id}/fixes/values?column=Nope`,
    });
    expect(values.statusCode).toBe(400);
    expect(values.json()).toMatchObject({
      details: { problems: [{ field: 'query.column', code: 'import.no_such_column' }] },
    });
    // A viewer reads the history but may not fix.
    expect(
      (await fix(view.id, { kind: 'valueMap', column: 'Site', map: { QQ: 'HQ' } }, viewer)).statusCode,
    ).toBe(403);
    expect((await viewer.token({ method: 'GET', url: `/api/v1/imports/${view.id}/fixes` })).statusCode).toBe(
      200,
    );
    expect(
      (
        await admin.token({
          method: 'POST',
          url: '/api/v1/imports/999999/fixes',
          payload: { kind: 'replace', column: 'Site', find: 'Q', replace: 'H' },
        })
      ).statusCode,
    ).toBe(404);
    expect(await rowsOf(view.id)).toEqual(before);
    const history = await admin.token({ method: 'GET', url: `/api/v1/imports/${view.id}/fixes` });
    expect(history.json()).toEqual({ items: [] });
  });

  it('refuses a fix once the import is committed (409), changing nothing', async () => {
    const view = await upload([HEADER, ['a@acme.example', 'A', 'QQ', ''], ['b@acme.example', 'B', 'HQ', '']]);
    await admin.token({ method: 'POST', url: `/api/v1/imports/${view.id}/commit` });
    expect((await settled(admin, view.id)).status).toBe('completed');
    const before = await rowsOf(view.id);
    const res = await fix(view.id, { kind: 'valueMap', column: 'Site', map: { QQ: 'HQ' } });
    expect(res.statusCode).toBe(409);
    expect((res.json() as { code: string }).code).toMatch(/^import\./);
    expect(await rowsOf(view.id)).toEqual(before);
    expect((await admin.token({ method: 'GET', url: `/api/v1/imports/${view.id}/fixes` })).json()).toEqual({
      items: [],
    });
  });

  it('keeps the fixed cells through a mapping change, which checks them again', async () => {
    const view = await upload([HEADER, ['a@acme.example', 'A', 'QQ', '']]);
    await fix(view.id, { kind: 'valueMap', column: 'Site', map: { QQ: 'HQ' } });
    // Site left out, then mapped again: the fixed value is what is checked.
    const off = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/mapping`,
      payload: { columns: ['email', 'firstName', null, 'roles'] },
    });
    expect(off.statusCode).toBe(200);
    const on = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/mapping`,
      payload: { columns: ['email', 'firstName', 'site', 'roles'] },
    });
    expect(on.json()).toMatchObject({ rows: { valid: 1, invalid: 0 } });
    expect((await rowsOf(view.id))[0]!.cells[2]).toBe('HQ');
  });

  it('chooses the customer after an upload without one: every row is checked again', async () => {
    const view = await upload([HEADER, ['a@acme.example', 'A', 'North', '']], {});
    expect(view.customerId).toBeNull();
    expect(view.errorCodes).toMatchObject({ 'customer.required': 1 });
    const res = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/options`,
      payload: { customerId: world.acme.id },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ customerId: world.acme.id, rows: { valid: 1, invalid: 0 } });
  });
});
