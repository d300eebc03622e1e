import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttribute } from '../../src/app/attributes.js';
import { createGroup } from '../../src/app/roles.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient, parseCsv } from '../support/imports.js';

/** The review's before → after of every update, its counts and filter, the success file and the history. */
let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;

type Change =
  | { field: string; label: string; before: string | null; after: string | null }
  | { field: string; label: string; added: string[]; removed: string[] };

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
  await createGroup(api.db.ctx, SYSTEM_ACTOR, { name: 'Office' });
  await createAttribute(api.db.ctx, SYSTEM_ACTOR, { key: 'cost_center', label: 'Cost center', type: 'text' });
});
afterAll(() => api.close());

async function staged(rows: string[][], options: object = { mode: 'upsert' }) {
  const res = await client.upload(stringify(rows), 'people.csv', options);
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; planned: Record<string, number>; rows: { valid: number } };
}

async function committed(rows: string[][], options?: object) {
  const { id } = await staged(rows, options);
  expect((await client.commit(id)).status).toBe('completed');
  return id;
}

const changesOf = async (id: number) =>
  (await client.rows(id)).map((r) => (r as unknown as { changes: Change[] | null }).changes);

const HEADER = [
  'Email',
  'First name',
  'Last name',
  'Site',
  'User type',
  'Employee number',
  'Status',
  'Cost center',
  'Roles',
  'Groups',
];

describe(`the diff of every update on ${process.env.ROSTER_TEST_DB}`, () => {
  it('shows every field type before → after: texts, status, site, customer, attributes, roles and groups', async () => {
    await committed([
      HEADER,
      ['ann@acme.example', 'Ann', 'Smith', 'HQ', 'Standard', '0042', 'pending', 'A1', 'Manager', 'Field'],
    ]);
    const { id, planned } = await staged([
      [...HEADER, 'Customer'],
      [
        'ann@acme.example',
        'Ann',
        'Smyth',
        'HQ',
        'Privileged',
        '0043',
        'active',
        'B2',
        '+Engineer; -Manager',
        'Office',
        'Globex',
      ],
    ]);
    expect(planned).toEqual({ update: 1 });
    const [changes] = await changesOf(id);
    expect(changes).toEqual([
      { field: 'last_name', label: 'Last name', before: 'Smith', after: 'Smyth' },
      { field: 'customer', label: 'Customer', before: 'Acme', after: 'Globex' },
      // Moved to another customer: the site follows (the file's HQ is the new customer's).
      { field: 'site', label: 'Site', before: 'HQ', after: 'HQ' },
      { field: 'user_type', label: 'User type', before: 'Standard', after: 'Privileged' },
      { field: 'employee_number', label: 'Employee number', before: '0042', after: '0043' },
      { field: 'status', label: 'Status', before: 'pending', after: 'active' },
      { field: 'attributes.cost_center', label: 'Cost center', before: 'A1', after: 'B2' },
      { field: 'roles', label: 'Roles', added: ['Engineer'], removed: ['Manager'] },
      { field: 'groups', label: 'Groups', added: ['Office'], removed: ['Field'] },
    ]);
    // A new user's row has no diff.
    const fresh = await staged([HEADER, ['new@acme.example', 'N', 'Ew', 'HQ', '', '', '', '', '', '']]);
    expect(await changesOf(fresh.id)).toEqual([null]);
  });

  it('clears a value under "clear" and shows it emptied; a site within the customer by name', async () => {
    await committed([
      ['Email', 'Last name', 'Site', 'Cost center'],
      ['bea@acme.example', 'Bell', 'HQ', 'C3'],
    ]);
    const { id } = await staged(
      [
        ['Email', 'Last name', 'Site', 'Cost center'],
        ['bea@acme.example', 'Bell', 'North', ''],
      ],
      { mode: 'update', emptyCells: 'clear' },
    );
    expect((await changesOf(id))[0]).toEqual([
      { field: 'site', label: 'Site', before: 'HQ', after: 'North' },
      { field: 'attributes.cost_center', label: 'Cost center', before: 'C3', after: null },
    ]);
  });

  it('counts updates that change nothing apart, and filters them', async () => {
    await committed([
      ['Email', 'Last name', 'Roles'],
      ['cy@acme.example', 'Cole', 'Manager'],
      ['dee@acme.example', 'Dean', 'Manager'],
    ]);
    const { id, planned, rows } = await staged([
      ['Email', 'Last name', 'Roles'],
      ['cy@acme.example', 'Cole', '+Manager'],
      ['dee@acme.example', 'Dunn', 'Manager'],
      ['eli@acme.example', 'Eli', ''],
    ]);
    expect(planned).toEqual({ create: 1, update: 1, unchanged: 1 });
    expect(rows.valid).toBe(3);
    const same = await client.rows(id, '&filter=unchanged');
    expect(same.map((r) => r.row)).toEqual([2]);
    const page = await admin.token({ method: 'GET', url: `/api/v1/imports/${id}/rows?filter=unchanged` });
    expect(page.json().total).toBe(1);
    const bad = await admin.token({ method: 'GET', url: `/api/v1/imports/${id}/rows?filter=same` });
    expect(bad.statusCode).toBe(400);

    // The success file says what each update changed; an unchanged row's cell is empty.
    expect((await client.commit(id)).counts).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    const header = success[0]!;
    const at = header.indexOf('changes');
    expect(at).toBe(header.length - 1);
    expect(success.slice(1).map((r) => [r[0], r[header.indexOf('result')], r[at]])).toEqual([
      ['cy@acme.example', 'unchanged', ''],
      ['dee@acme.example', 'updated', 'last_name: Dean → Dunn'],
      ['eli@acme.example', 'created', ''],
    ]);
  });

  it('writes memberships in the success file as +added and -removed', async () => {
    await committed([
      ['Email', 'Roles'],
      ['fay@acme.example', 'Manager'],
    ]);
    const id = await committed([
      ['Email', 'Last name', 'Roles'],
      ['fay@acme.example', 'Smyth', 'Engineer'],
    ]);
    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    expect(success[1]!.at(-1)).toBe('last_name: (empty) → Smyth; roles: +Engineer -Manager');
  });
});

describe(`a user's history shows the diff on ${process.env.ROSTER_TEST_DB}`, () => {
  const historyOf = async (userId: number) => {
    const res = await admin.token({ method: 'GET', url: `/api/v1/users/${userId}/history` });
    expect(res.statusCode).toBe(200);
    return res.json().items as { action: string; details: { changes?: Change[] } }[];
  };

  it('after an API change', async () => {
    await committed([
      ['Email', 'Last name', 'Roles', 'Cost center'],
      ['gil@acme.example', 'Gale', 'Manager', 'G1'],
    ]);
    const user = (await client.user('gil@acme.example'))!;
    const res = await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      payload: {
        lastName: 'Gill',
        roleIds: [world.roles.engineer],
        attributes: { cost_center: 'G2' },
        siteId: world.acmeNorth,
      },
    });
    expect(res.statusCode).toBe(200);
    const [latest] = await historyOf(user.id);
    expect(latest!.action).toBe('user.update');
    expect(latest!.details.changes).toEqual([
      { field: 'last_name', label: 'Last name', before: 'Gale', after: 'Gill' },
      { field: 'site', label: 'Site', before: 'HQ', after: 'North' },
      { field: 'attributes.cost_center', label: 'Cost center', before: 'G1', after: 'G2' },
      { field: 'roles', label: 'Roles', added: ['Engineer'], removed: ['Manager'] },
    ]);
  });

  it('after an import', async () => {
    await committed([
      ['Email', 'First name'],
      ['hal@acme.example', 'Hal'],
    ]);
    const id = await committed([
      ['Email', 'First name', 'Groups'],
      ['hal@acme.example', 'Harold', '+Office'],
    ]);
    const user = (await client.user('hal@acme.example'))!;
    const items = await historyOf(user.id);
    const ended = items.find(
      (e) => e.action === 'import.completed' && (e as { entityId?: string }).entityId === String(id),
    );
    expect(ended!.details.changes).toEqual([
      { field: 'first_name', label: 'First name', before: 'Hal', after: 'Harold' },
      { field: 'groups', label: 'Groups', added: ['Office'], removed: [] },
    ]);
    // The import that created the user shows no diff.
    const created = items.filter((e) => e.action === 'import.completed').at(-1)!;
    expect(created.details.changes).toBeUndefined();
  });
});
