import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient } from '../support/imports.js';

/** Which import created a user and which changed them last are told apart. */
let api: TestApi;
let world: World;
let admin: Caller;
let imports: ImportClient;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  imports = importClient(admin, world.acme.id);
});
afterAll(() => api.close());

async function importRows(rows: string[][]): Promise<number> {
  const res = await imports.upload(stringify([['Email', 'Last name'], ...rows]), 'people.csv');
  expect(res.statusCode).toBe(201);
  const done = await imports.commit(res.json().id);
  expect(done.status).toBe('completed');
  return done.id;
}

describe(`created by, last changed by, on ${process.env.ROSTER_TEST_DB}`, () => {
  it('a user created by one import and updated by another names both', async () => {
    const first = await importRows([['made@created-by.example', 'One']]);
    const second = await importRows([['made@created-by.example', 'Two']]);
    const user = (await imports.user('made@created-by.example'))!;
    const full = (await admin.token({ method: 'GET', url: `/api/v1/users/${user.id}` })).json();
    expect(full).toMatchObject({ createdByImportId: first, importId: second, lastName: 'Two' });
  });

  it('a user created by hand and then updated by an import was not created by it', async () => {
    const made = await admin.token({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'hand@created-by.example', customerId: world.acme.id, lastName: 'Hand' },
    });
    expect(made.statusCode).toBe(201);
    expect(made.json().createdByImportId).toBeNull();
    const changed = await importRows([['hand@created-by.example', 'Imported']]);
    const full = (await admin.token({ method: 'GET', url: `/api/v1/users/${made.json().id}` })).json();
    expect(full).toMatchObject({ createdByImportId: null, importId: changed, lastName: 'Imported' });
  });
});
