import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttribute } from '../../src/app/attributes.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
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
    employeeNumber: '0042',
  });
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
    expect(failure[0]).toEqual(['Rep email', 'Customer number', 'Name', 'Postcode', 'City', 'error']);
    expect(failure.slice(1).map((r) => r[0])).toEqual(['ann@acme.example', 'anne@acme.example']);

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
});
