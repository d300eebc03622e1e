import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttribute } from '../../src/app/attributes.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { hashPassword } from '../../src/security/passwords.js';
import { setPassword } from '../../src/storage/queries/portal.js';
import { type Caller, settled, startApi, TEST_PASSWORD, type TestApi } from '../support/api.js';
import { buildWorld, shareEmployeeNumber, type World } from '../support/fixtures.js';
import { importClient, parseCsv } from '../support/imports.js';
import { multipart } from '../support/upload.js';

/**
 * The record targets (customers, appointments, tasks, visit reports) through the API, from upload
 * to rollback: owners named by email or employee number, within the admin's scope, references to
 * the owner's customers, custom attributes of a record type.
 */

let api: TestApi;
let admin: Caller;
let world: World;
const users: Record<string, number> = {};

async function createUser(caller: Caller, body: object): Promise<number> {
  const res = await caller.token({ method: 'POST', url: '/api/v1/users', payload: body });
  if (res.statusCode !== 201) throw new Error(`user: ${res.body}`);
  return res.json().id as number;
}

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  const acme = world.acme.id;
  const globex = world.globex.id;
  users.ann = await createUser(admin, {
    email: 'ann@acme.example',
    firstName: 'Ann',
    lastName: 'Archer',
    customerId: acme,
    employeeNumber: '00123',
  });
  users.bob = await createUser(admin, {
    email: 'bob@acme.example',
    firstName: 'Bob',
    lastName: 'Baker',
    customerId: acme,
    employeeNumber: 'E-7',
  });
  users.cid = await createUser(admin, {
    email: 'cid@acme.example',
    firstName: 'Cid',
    lastName: 'Cole',
    customerId: acme,
    employeeNumber: '0042',
  });
  users.dee = await createUser(admin, {
    email: 'dee@acme.example',
    firstName: 'Dee',
    lastName: 'Dunn',
    customerId: acme,
  });
  // Numbers are unique for new and changed users; two users may still share one from earlier data.
  await shareEmployeeNumber(api.db.ctx, users.dee, '0042');
  users.gus = await createUser(admin, {
    email: 'gus@globex.example',
    firstName: 'Gus',
    lastName: 'Grant',
    customerId: globex,
    employeeNumber: '555',
  });
});
afterAll(() => api.close());

function upload(caller: Caller, target: string, rows: string[][], options: object = {}, mapping?: object) {
  const body = multipart(
    {
      target,
      options: JSON.stringify(options),
      ...(mapping && { mapping: JSON.stringify(mapping) }),
    },
    { name: `${target}.csv`, content: stringify(rows) },
  );
  return caller.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
}

async function uploaded(caller: Caller, target: string, rows: string[][], options: object = {}) {
  const res = await upload(caller, target, rows, options);
  if (res.statusCode !== 201) throw new Error(`upload: ${res.body}`);
  return res.json() as {
    id: number;
    status: string;
    rows: { total: number; valid: number; invalid: number };
  };
}

const records = async (query: string) => {
  const res = await admin.token({ method: 'GET', url: `/api/v1/records?limit=500&${query}` });
  expect(res.statusCode).toBe(200);
  return res.json().items as {
    id: number;
    type: string;
    key: string;
    title: string;
    customerRef: string | null;
    fields: Record<string, string | null>;
    attributes: Record<string, unknown>;
    owner: { id: number; email: string };
    customer: { id: number };
    version: number;
    importId: number | null;
  }[];
};

describe(`record imports on ${process.env.ROSTER_TEST_DB}`, () => {
  it('imports customers of many owners by email: review with a fix, commit, result files, rollback that leaves an edited record alone', async () => {
    const client = importClient(admin, world.acme.id);
    const id = (
      await uploaded(admin, 'customers', [
        ['Rep email', 'Customer number', 'Name', 'Postcode', 'City'],
        ['ann@acme.example', '1001', 'Bakery Brot', '01067', 'Dresden'],
        ['ANN@acme.example ', '1002', 'Café Crème', '', 'Leipzig'],
        ['bob@acme.example', '1001', 'Bob’s first', '10115', 'Berlin'],
        ['ann@acme.example', '1001', 'Twice', '', ''],
        ['anne@acme.example', '1003', 'Nobody’s', '', ''],
        ['bob@acme.example', '1004', '', '', ''],
      ])
    ).id;
    const view = await client.view(id);
    expect(view).toMatchObject({ status: 'validated', rows: { total: 6, valid: 3, invalid: 3 } });
    const invalid = await client.rows(id, '&filter=invalid');
    expect(invalid.map((r) => [r.row, r.problems.map((p) => p.code)])).toEqual([
      [5, ['row.duplicate']],
      [6, ['owner.unknown']],
      [7, ['value.required']],
    ]);
    expect(invalid[0]!.problems[0]!.message).toContain('for the same owner');
    expect(invalid[1]!.problems[0]).toMatchObject({
      column: 'Rep email',
      value: 'anne@acme.example',
      message: expect.stringContaining('No user has the email "anne@acme.example". Check its spelling'),
    });
    // A fix in the review: the name filled in.
    const fixed = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${id}/rows/7`,
      payload: { cells: { Name: 'Fixed Foods' } },
    });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json().rows[0]).toMatchObject({ valid: true, action: 'create' });

    const done = await client.commit(id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ created: 4, failed: 2 });
    const mine = await records(`type=customers&ownerUserId=${users.ann}`);
    expect(mine.map((r) => [r.key, r.title, r.fields.postcode])).toEqual([
      ['1001', 'Bakery Brot', '01067'],
      ['1002', 'Café Crème', null],
    ]);
    expect(mine[0]).toMatchObject({ customer: { id: world.acme.id }, version: 1, importId: id });

    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    expect(success.length).toBe(5);
    const failure = parseCsv(await client.download(`/api/v1/imports/${id}/files/failure?format=csv`));
    // Grouped by owner: each line names its owner's email (empty where the row matched nobody).
    expect(failure[0]).toEqual([
      'Rep email',
      'Customer number',
      'Name',
      'Postcode',
      'City',
      'row',
      'owner',
      'error',
    ]);
    expect(failure.slice(1).map((r) => [r[0], r[6]])).toEqual([
      ['ann@acme.example', 'ann@acme.example'],
      ['anne@acme.example', ''],
    ]);
    expect(success[0]).toContain('owner');

    // Bob's record is edited after the import: the rollback leaves it alone and says so.
    const bobs = (await records(`type=customers&ownerUserId=${users.bob}`)).find((r) => r.key === '1001')!;
    const patched = await admin.token({
      method: 'PATCH',
      url: `/api/v1/records/${bobs.id}`,
      payload: { fields: { name: 'Bob’s renamed' } },
    });
    expect(patched.statusCode).toBe(200);
    const rb = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect(rb.statusCode).toBe(202);
    const after = await settled(admin, id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({
      deleted: 3,
      conflictCount: 1,
      conflicts: [
        {
          entityType: 'record',
          entityId: bobs.id,
          label: 'customers 1001',
          reason: 'The record was changed after the import; left as it is now.',
        },
      ],
    });
    expect(await records(`type=customers&ownerUserId=${users.ann}`)).toEqual([]);
    expect((await records(`type=customers&ownerUserId=${users.bob}`)).map((r) => r.title)).toEqual([
      'Bob’s renamed',
    ]);
  });

  it('names owners by employee number ignoring case and spaces, keeps leading zeros, and refuses a number two users share', async () => {
    const client = importClient(admin, world.acme.id);
    const id = (
      await uploaded(admin, 'customers', [
        ['Employee no', 'Customer number', 'Name'],
        [' 00123 ', 'C-1', 'Ann’s first'],
        ['e-7', 'B-1', 'Bob’s first'],
        ['123', 'X-1', 'Zeros dropped'],
        ['0042', 'Y-1', 'Shared number'],
      ])
    ).id;
    const rows = await client.rows(id);
    expect(rows.map((r) => r.valid)).toEqual([true, true, false, false]);
    expect(rows[2]!.problems[0]).toMatchObject({
      code: 'owner.unknown',
      value: '123',
      message: expect.stringContaining(
        'No user has the employee number "123". Check the number in the user\'s record',
      ),
    });
    expect(rows[3]!.problems[0]).toMatchObject({ code: 'owner.ambiguous', value: '0042' });
    expect(rows[3]!.problems[0]!.message).toContain(
      'cid@acme.example (Cid Cole) and dee@acme.example (Dee Dunn)',
    );
    const done = await client.commit(id);
    expect(done.counts).toMatchObject({ created: 2, failed: 2 });
    expect((await records(`type=customers&ownerUserId=${users.ann}`)).map((r) => r.key)).toEqual(['C-1']);
    expect((await records(`type=customers&ownerUserId=${users.bob}`)).map((r) => r.key)).toContain('B-1');
  });

  it('changes how owners are read with PUT /imports/{id}/options, every row checked again', async () => {
    const id = (
      await uploaded(admin, 'tasks', [
        ['Owner', 'External ID', 'Title'],
        ['00123', 'T-1', 'Call back'],
      ])
    ).id;
    const client = importClient(admin, world.acme.id);
    expect((await client.view(id)).rows).toMatchObject({ valid: 1, invalid: 0 });
    const changed = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/options`,
      payload: { targetOptions: { ownerBy: 'email' } },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().options.targetOptions).toEqual({ ownerBy: 'email' });
    const [row] = await client.rows(id);
    expect(row!.problems[0]).toMatchObject({ code: 'owner.unknown', value: '00123' });
    expect(row!.problems[0]!.message).toContain('is not an email address');
    const bad = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/options`,
      payload: { targetOptions: { ownerBy: 'phone' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.problems[0].field).toBe('options.targetOptions.ownerBy');
  });

  it("gives a scoped admin's row naming another customer's user the same problem as an unknown owner", async () => {
    const scoped = await api.caller('user_admin', world.acme.id);
    const id = (
      await uploaded(scoped, 'customers', [
        ['Owner', 'Customer number', 'Name'],
        ['gus@globex.example', 'G-1', 'Not yours'],
        ['nobody@acme.example', 'N-1', 'Nobody'],
        ['555', 'G-2', 'By number'],
        ['ann@acme.example', 'S-1', 'Yours'],
      ])
    ).id;
    const rows = await importClient(scoped, world.acme.id).rows(id);
    expect(rows.map((r) => r.problems[0]?.code ?? null)).toEqual([
      'owner.unknown',
      'owner.unknown',
      'owner.unknown',
      null,
    ]);
    expect(rows[0]!.problems[0]!.message).toBe(
      rows[1]!.problems[0]!.message.replace('nobody@acme.example', 'gus@globex.example'),
    );
    expect(JSON.stringify(rows[0])).not.toContain('Globex');
  });

  it('imports appointments at customers of the same owner, refusing other owners’ customers and an end before the start; rollback deletes them', async () => {
    const client = importClient(admin, world.acme.id);
    const id = (
      await uploaded(admin, 'appointments', [
        ['Sales rep', 'External ID', 'Subject', 'Start', 'End', 'Customer number'],
        ['ann@acme.example', 'A-1', 'Visit', '2027-03-01 09:00', '2027-03-01 10:30', 'c-1'],
        ['ann@acme.example', 'A-2', 'Bob’s customer', '2027-03-02 09:00', '2027-03-02 10:00', 'B-1'],
        ['bob@acme.example', 'A-1', 'Same id, other owner', '2027-03-02 09:00', '2027-03-02 10:00', 'B-1'],
        ['bob@acme.example', 'A-3', 'Backwards', '2027-03-03 11:00', '2027-03-03 10:00', 'B-1'],
        ['bob@acme.example', 'A-4', 'Bad time', 'tomorrow', '2027-03-03 10:00', 'B-1'],
      ])
    ).id;
    const rows = await client.rows(id);
    expect(rows.map((r) => [r.row, r.problems.map((p) => p.code)])).toEqual([
      [2, []],
      [3, ['record.customer_unknown']],
      [4, []],
      [5, ['appointment.end_before_start']],
      [6, ['datetime.invalid']],
    ]);
    expect(rows[1]!.problems[0]!.message).toContain('ann@acme.example has no customer with the number "B-1"');
    // A fix in the review: the reference corrected to Ann's own customer.
    const fixed = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${id}/rows/3`,
      payload: { cells: { 'Customer number': 'C-1' } },
    });
    expect(fixed.json().rows[0]).toMatchObject({ valid: true });
    const done = await client.commit(id);
    expect(done.counts).toMatchObject({ created: 3, failed: 2 });
    const anns = await records(`type=appointments&ownerUserId=${users.ann}`);
    expect(anns.map((r) => [r.key, r.customerRef, r.fields.start, r.fields.end])).toEqual([
      ['A-1', 'c-1', '2027-03-01 09:00', '2027-03-01 10:30'],
      ['A-2', 'C-1', '2027-03-02 09:00', '2027-03-02 10:00'],
    ]);
    const failure = parseCsv(await client.download(`/api/v1/imports/${id}/files/failure?format=csv`));
    expect(failure.slice(1).map((r) => r[1])).toEqual(['A-3', 'A-4']);
    await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect((await settled(admin, id)).rollback).toMatchObject({ deleted: 3, conflictCount: 0 });
    expect(await records('type=appointments')).toEqual([]);
  });

  it('imports tasks with the status open by default and an optional customer, updating on a second import', async () => {
    const client = importClient(admin, world.acme.id);
    const first = (
      await uploaded(admin, 'tasks', [
        ['Owner', 'External ID', 'Title', 'Due date', 'Customer number'],
        ['ann@acme.example', 'T-1', 'Call back', '2027-04-01', ''],
        ['ann@acme.example', 'T-2', 'Send offer', '', 'C-1'],
        ['ann@acme.example', 'T-3', 'Wrong customer', '', 'Z-9'],
      ])
    ).id;
    expect((await client.commit(first)).counts).toMatchObject({ created: 2, failed: 1 });
    const tasks = await records(`type=tasks&ownerUserId=${users.ann}`);
    expect(tasks.map((t) => [t.key, t.fields.status, t.customerRef])).toEqual([
      ['T-1', 'open', null],
      ['T-2', 'open', 'C-1'],
    ]);
    const second = (
      await uploaded(
        admin,
        'tasks',
        [
          ['Owner', 'External ID', 'Title', 'Status'],
          ['ann@acme.example', 'T-1', 'Call back', 'done'],
          ['ann@acme.example', 'T-2', 'Send offer', ''],
        ],
        { mode: 'update' },
      )
    ).id;
    expect((await client.commit(second)).counts).toMatchObject({ updated: 1, unchanged: 1 });
    expect((await records(`type=tasks&ownerUserId=${users.ann}`)).map((t) => t.fields.status)).toEqual([
      'done',
      'open',
    ]);
    await admin.token({ method: 'POST', url: `/api/v1/imports/${second}/rollback` });
    expect((await settled(admin, second)).rollback).toMatchObject({ restored: 1 });
    expect((await records(`type=tasks&ownerUserId=${users.ann}`)).map((t) => t.fields.status)).toEqual([
      'open',
      'open',
    ]);
  });

  it('imports visit reports, which must name a customer of their owner; result files; rollback', async () => {
    const client = importClient(admin, world.acme.id);
    const id = (
      await uploaded(admin, 'reports', [
        ['Rep email', 'External ID', 'Date', 'Customer number', 'Subject', 'Text'],
        ['ann@acme.example', 'R-1', '2027-03-01', 'C-1', 'First visit', '=cmd|x'],
        ['ann@acme.example', 'R-2', '2027-03-02', '', 'No customer', ''],
        ['bob@acme.example', 'R-3', '2027-03-02', 'C-1', 'Ann’s customer', ''],
      ])
    ).id;
    const rows = await client.rows(id);
    expect(rows.map((r) => r.problems[0]?.code ?? null)).toEqual([
      null,
      'value.required',
      'record.customer_unknown',
    ]);
    const done = await client.commit(id);
    expect(done.counts).toMatchObject({ created: 1, failed: 2 });
    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    // A cell a spreadsheet would take for a formula is neutralised.
    expect(success[1]![5]).toBe("'=cmd|x");
    await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect((await settled(admin, id)).rollback).toMatchObject({ deleted: 1 });
  });

  it('adds custom attributes to a record type: in its template, validated and stored, not on users', async () => {
    await createAttribute(api.db.ctx, SYSTEM_ACTOR, {
      key: 'segment',
      label: 'Segment',
      type: 'enum',
      options: ['A', 'B'],
      entityType: 'customers',
    });
    const client = importClient(admin, world.acme.id);
    const template = parseCsv(await client.download('/api/v1/import-targets/customers/template?format=csv'));
    expect(template[0]).toContain('Segment');
    expect(template[0]![0]).toBe('Owner');
    const usersTemplate = parseCsv(await client.download('/api/v1/import-targets/users/template?format=csv'));
    expect(usersTemplate[0]).not.toContain('Segment');
    const listed = await admin.token({ method: 'GET', url: '/api/v1/attributes?entityType=customers' });
    expect(listed.json().map((a: { key: string; entityType: string }) => [a.key, a.entityType])).toEqual([
      ['segment', 'customers'],
    ]);
    const id = (
      await uploaded(admin, 'customers', [
        ['Owner', 'Customer number', 'Name', 'Segment'],
        ['cid@acme.example', 'S-1', 'Segmented', 'B'],
        ['cid@acme.example', 'S-2', 'Wrong segment', 'Z'],
      ])
    ).id;
    const rows = await client.rows(id);
    expect(rows[1]!.problems[0]).toMatchObject({ column: 'Segment', value: 'Z' });
    await client.commit(id);
    const [rec] = await records(`type=customers&ownerUserId=${users.cid}`);
    expect(rec).toMatchObject({ key: 'S-1', attributes: { segment: 'B' } });
    const patched = await admin.token({
      method: 'PATCH',
      url: `/api/v1/records/${rec!.id}`,
      payload: { attributes: { segment: 'Q' } },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().details.problems[0].field).toBe('attributes.segment');
  });
});

describe(`the records API on ${process.env.ROSTER_TEST_DB}`, () => {
  it('lists with filters, search and keyset paging; opens, edits and deletes within the scope', async () => {
    const all = await records('type=customers');
    expect(all.length).toBeGreaterThanOrEqual(3);
    const firstPage = (
      await admin.token({ method: 'GET', url: '/api/v1/records?type=customers&limit=1' })
    ).json();
    expect(firstPage.items).toHaveLength(1);
    const nextPage = (
      await admin.token({
        method: 'GET',
        url: `/api/v1/records?type=customers&limit=1&cursor=${firstPage.nextCursor}`,
      })
    ).json();
    expect(nextPage.items[0].id).toBeGreaterThan(firstPage.items[0].id);
    expect((await records('q=ann’s')).map((r) => r.key)).toEqual(['C-1']);
    expect(await records(`customerId=${world.globex.id}`)).toEqual([]);

    const annC1 = all.find((r) => r.key === 'C-1')!;
    const viewer = await api.caller('viewer');
    expect((await viewer.token({ method: 'GET', url: `/api/v1/records/${annC1.id}` })).json()).toMatchObject({
      key: 'C-1',
      owner: { email: 'ann@acme.example' },
      customer: { id: world.acme.id, name: 'Acme' },
    });
    expect(
      (
        await viewer.token({
          method: 'PATCH',
          url: `/api/v1/records/${annC1.id}`,
          payload: { fields: { city: 'X' } },
        })
      ).statusCode,
    ).toBe(403);
    const globexAdmin = await api.caller('administrator', world.globex.id);
    expect((await globexAdmin.token({ method: 'GET', url: `/api/v1/records/${annC1.id}` })).statusCode).toBe(
      404,
    );
    expect((await globexAdmin.token({ method: 'GET', url: '/api/v1/records' })).json().items).toEqual([]);
    const acmeAdmin = await api.caller('user_admin', world.acme.id);
    expect(
      (await acmeAdmin.token({ method: 'GET', url: '/api/v1/records?type=customers' })).json().total,
    ).toBe(all.length);

    const edited = await acmeAdmin.token({
      method: 'PATCH',
      url: `/api/v1/records/${annC1.id}`,
      payload: { fields: { city: 'Dresden', name: 'Ann’s renamed' } },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({
      title: 'Ann’s renamed',
      fields: { city: 'Dresden' },
      version: annC1.version + 1,
    });
    const taken = await acmeAdmin.token({
      method: 'PATCH',
      url: `/api/v1/records/${annC1.id}`,
      payload: { key: 'S-1' },
    });
    expect(taken.statusCode).toBe(200); // S-1 is Cid's, not Ann's: keys are unique per owner
    const clash = await admin.token({
      method: 'PATCH',
      url: `/api/v1/records/${annC1.id}`,
      payload: { key: 'c-1' },
    });
    expect(clash.statusCode).toBe(200);
    const bobsB1 = (await records(`type=customers&ownerUserId=${users.bob}`)).find((r) => r.key === 'B-1')!;
    const duplicate = await admin.token({
      method: 'PATCH',
      url: `/api/v1/records/${bobsB1.id}`,
      payload: { key: '1001' },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({
      code: 'record.key_taken',
      details: { problems: [{ field: 'key' }] },
    });

    const task = (await records(`type=tasks&ownerUserId=${users.ann}`))[0]!;
    const badStatus = await admin.token({
      method: 'PATCH',
      url: `/api/v1/records/${task.id}`,
      payload: { fields: { status: 'maybe' }, customerRef: 'B-1' },
    });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().details.problems.map((p: { field: string }) => p.field)).toEqual([
      'fields.status',
      'customerRef',
    ]);

    const gone = await acmeAdmin.token({ method: 'DELETE', url: `/api/v1/records/${task.id}` });
    expect(gone.statusCode).toBe(200);
    expect((await admin.token({ method: 'GET', url: `/api/v1/records/${task.id}` })).statusCode).toBe(404);
  });

  it('shows a portal user their own records, read-only', async () => {
    await setPassword(
      api.db.ctx.db,
      users.ann!,
      await hashPassword(TEST_PASSWORD),
      new Date().toISOString(),
      true,
    );
    const login = await api.request({
      method: 'POST',
      url: '/api/v1/portal/login',
      payload: { login: 'ann@acme.example', password: TEST_PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'roster_portal')!.value;
    const mine = await api.request({
      method: 'GET',
      url: '/api/v1/portal/records',
      cookies: { roster_portal: cookie },
    });
    expect(mine.statusCode, mine.body).toBe(200);
    const items = mine.json().items as { owner: { id: number } }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((r) => r.owner.id === users.ann)).toBe(true);
    // Admin credentials open no portal route.
    expect((await admin.token({ method: 'GET', url: '/api/v1/portal/records' })).statusCode).toBe(401);
  });
});
