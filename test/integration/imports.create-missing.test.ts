import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { expectUnchanged } from '../support/db-snapshot.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

/**
 * "Create what is missing" from the review: a site, portal role, group or custom attribute made
 * next to the problems that name it, the rows concerned checked again at once, kept in the history.
 */
let api: TestApi;
let world: World;
let admin: Caller;
let scoped: Caller;
let userAdmin: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  scoped = await api.caller('administrator', world.acme.id);
  userAdmin = await api.caller('user_admin');
});
afterAll(() => api.close());

type View = {
  id: number;
  status: string;
  mapping: { columns: { header: string; field: string | null }[] };
  rows: { total: number; valid: number; invalid: number };
};
type Row = { row: number; valid: boolean; problems: { code: string; column: string | null }[] };

async function upload(
  rows: string[][],
  who: Caller = admin,
  options: object = { customerId: world.acme.id },
) {
  const body = multipart(
    { target: 'users', options: JSON.stringify(options) },
    { name: 'people.csv', content: stringify(rows) },
  );
  const res = await who.token({
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
  return (res.json() as { items: Row[] }).items;
}

const create = (id: number, payload: object, who: Caller = admin) =>
  who.token({ method: 'POST', url: `/api/v1/imports/${id}/fixes/create`, payload });

const HEADER = ['Email', 'First name', 'Site', 'Roles', 'Groups'];
let seq = 0;
const unique = (prefix: string) => `${prefix} ${process.env.ROSTER_TEST_DB} ${++seq}`;

describe(`creating what is missing from the review on ${process.env.ROSTER_TEST_DB}`, () => {
  it('creates a site for the import’s customer: the rows naming it are valid at once, and it is in the history', async () => {
    const site = unique('Depot');
    const view = await upload([
      HEADER,
      ['a@acme.example', 'A', site, '', ''],
      ['b@acme.example', 'B', site, '', ''],
      ['c@acme.example', 'C', 'HQ', 'nobody', ''],
    ]);
    expect(view.rows).toMatchObject({ valid: 0, invalid: 3 });
    const res = await create(view.id, { kind: 'site', column: 'Site', name: site });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      fix: {
        kind: 'create',
        column: 'Site',
        details: { what: 'site', name: site, customerId: world.acme.id },
      },
      import: { rows: { valid: 2, invalid: 1 } },
    });
    const sites = await admin.token({ method: 'GET', url: `/api/v1/customers/${world.acme.id}/sites` });
    expect((sites.json() as { name: string }[]).map((s) => s.name)).toContain(site);
    const history = await admin.token({ method: 'GET', url: `/api/v1/imports/${view.id}/fixes` });
    expect(history.json()).toMatchObject({
      items: [{ kind: 'create', details: { what: 'site', name: site } }],
    });
    await admin.token({ method: 'POST', url: `/api/v1/imports/${view.id}/commit` });
    expect((await settled(admin, view.id)).status).toBe('completed');
  });

  it('creates a portal role and a group named by rows, which are then valid', async () => {
    const role = unique('Auditor');
    const group = unique('Night shift');
    const view = await upload([
      HEADER,
      ['a@acme.example', 'A', '', role, group],
      ['b@acme.example', 'B', '', role, ''],
    ]);
    expect(view.rows.invalid).toBe(2);
    const byRole = await create(view.id, { kind: 'role', column: 'Roles', name: role });
    expect(byRole.statusCode).toBe(200);
    expect(byRole.json()).toMatchObject({
      fix: { details: { what: 'role', name: role } },
      import: { rows: { valid: 1 } },
    });
    const byGroup = await create(view.id, { kind: 'group', column: 'Groups', name: group });
    expect(byGroup.statusCode).toBe(200);
    expect(byGroup.json()).toMatchObject({ import: { rows: { valid: 2, invalid: 0 } } });
    const roles = await admin.token({ method: 'GET', url: '/api/v1/roles' });
    expect(JSON.stringify(roles.json())).toContain(role);
  });

  it('creates a custom attribute for an unmapped column and maps the column to it; every row is checked again', async () => {
    const key = `badge_${process.env.ROSTER_TEST_DB}`;
    const view = await upload([
      ['Email', 'First name', 'Badge number'],
      ['a@acme.example', 'A', '12'],
      ['b@acme.example', 'B', 'twelve'],
    ]);
    expect(view.mapping.columns[2]).toMatchObject({ field: null });
    expect(view.rows.invalid).toBe(0);
    const res = await create(view.id, { kind: 'attribute', column: 'Badge number', key, type: 'number' });
    expect(res.statusCode).toBe(200);
    const answer = res.json() as { import: View };
    expect(answer.import.mapping.columns[2]).toMatchObject({ field: `attr.${key}` });
    expect(answer.import.rows).toMatchObject({ valid: 1, invalid: 1 });
    const rows = await rowsOf(view.id);
    expect(rows[1]!.problems.map((p) => p.column)).toEqual(['Badge number']);
  });

  it('lets a scoped administrator create a site of their customer only, and no role', async () => {
    const site = unique('Scoped depot');
    const view = await upload([HEADER, ['s@acme.example', 'S', site, '', '']], scoped, {});
    const other = await expectUnchanged(api.db.ctx.db, () =>
      create(view.id, { kind: 'site', column: 'Site', name: site, customerId: world.globex.id }, scoped),
    );
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ code: 'customer.not_found' });
    const role = await expectUnchanged(api.db.ctx.db, () =>
      create(view.id, { kind: 'role', column: 'Roles', name: unique('Scoped role') }, scoped),
    );
    expect(role.statusCode).toBe(403);
    const own = await create(view.id, { kind: 'site', column: 'Site', name: site }, scoped);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({
      fix: { details: { customerId: world.acme.id } },
      import: { rows: { valid: 1, invalid: 0 } },
    });
    // Another customer's import is not theirs to see.
    const globexImport = await upload([HEADER, ['g@globex.example', 'G', 'Nowhere', '', '']], admin, {
      customerId: world.globex.id,
    });
    const foreign = await create(globexImport.id, { kind: 'site', column: 'Site', name: 'Nowhere' }, scoped);
    expect(foreign.statusCode).toBe(404);
  });

  it('refuses an admin without the permission, and changes nothing', async () => {
    const view = await upload([HEADER, ['u@acme.example', 'U', 'Plant', '', '']]);
    for (const payload of [
      { kind: 'site', column: 'Site', name: 'Plant' },
      { kind: 'group', column: 'Groups', name: 'Plant group' },
    ]) {
      const res = await expectUnchanged(api.db.ctx.db, () => create(view.id, payload, userAdmin));
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'auth.forbidden' });
    }
  });

  it('refuses bad input with a clear error, and changes nothing', async () => {
    const view = await upload([
      ['Email', 'First name', 'Site', 'Roles', 'Extra'],
      ['x@acme.example', 'X', 'North ', 'manager', '1'],
    ]);
    const cases: [object, number, string, RegExp][] = [
      [{ kind: 'site', column: 'Site', name: '   ' }, 400, 'request.invalid', /needs a name/],
      [{ kind: 'site', column: 'Site', name: 'North' }, 409, 'site.name_taken', /already has a site "North"/],
      [{ kind: 'role', column: 'Roles', name: 'Manager' }, 409, 'role.name_taken', /"Manager" exists/],
      [{ kind: 'group', column: 'Roles', name: 'Field' }, 409, 'group.name_taken', /"Field" exists/],
      [{ kind: 'group', column: 'Nope', name: 'G' }, 400, 'request.invalid', /no column "Nope"/],
      [{ kind: 'attribute', column: 'Extra', key: 'Bad Key' }, 400, 'validation.failed', /lower-case/],
      [{ kind: 'attribute', column: 'Site', key: 'site_again' }, 400, 'request.invalid', /mapped already/],
      [{ kind: 'moon', column: 'Site', name: 'X' }, 400, 'request.invalid', /./],
    ];
    for (const [payload, status, code, message] of cases) {
      const res = await expectUnchanged(
        api.db.ctx.db,
        () => create(view.id, payload),
        JSON.stringify(payload),
      );
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      const body = res.json() as {
        code: string;
        message: string;
        details: { problems?: { message: string }[] };
      };
      expect(body.code).toBe(code);
      expect(`${body.message} ${(body.details.problems ?? []).map((p) => p.message).join(' ')}`).toMatch(
        message,
      );
    }
    const key = `taken_${process.env.ROSTER_TEST_DB}`;
    await admin.token({
      method: 'POST',
      url: '/api/v1/attributes',
      payload: { key, label: 'Taken', type: 'text' },
    });
    const taken = await expectUnchanged(api.db.ctx.db, () =>
      create(view.id, { kind: 'attribute', column: 'Extra', key }),
    );
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'attribute.key_taken' });
  });

  it('refuses once the import is committed', async () => {
    const view = await upload([HEADER, ['done@acme.example', 'D', '', '', '']]);
    await admin.token({ method: 'POST', url: `/api/v1/imports/${view.id}/commit` });
    await settled(admin, view.id);
    const res = await expectUnchanged(api.db.ctx.db, () =>
      create(view.id, { kind: 'site', column: 'Site', name: unique('Late') }),
    );
    expect(res.statusCode).toBe(409);
  });
});
