import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { importClient } from '../support/imports.js';

/**
 * JSON kept in text columns is read through the shape that wrote it: a corrupt value (a hand edit,
 * a bug) answers a typed error naming what cannot be read, not a crash somewhere later.
 */
let api: TestApi;
let world: World;
let admin: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

const db = () => api.db.ctx.db;

async function newImport(): Promise<number> {
  const res = await importClient(admin, world.acme.id).upload(
    stringify([['Email'], ['stored@acme.example']]),
    'people.csv',
    {},
  );
  expect(res.statusCode).toBe(201);
  return res.json().id as number;
}

describe(`stored JSON read back on ${process.env.ROSTER_TEST_DB}`, () => {
  it.each([
    [
      'options',
      '{"mode":"sideways","emptyCells":"keep","atomic":false,"customerId":null,"targetOptions":{}}',
    ],
    ['options', '{"mode":'],
    ['mapping', '{"columns":"email"}'],
    ['header', '{"0":"Email"}'],
    ['planned', '{"actions":{"create":"one"}}'],
    ['counts', '[1,2]'],
  ])('answers internal.stored_data for an import whose %s is %s, and stays up', async (column, value) => {
    const id = await newImport();
    await sql`update imports set ${sql.ref(column)} = ${value} where id = ${id}`.execute(db());
    const res = await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'internal.stored_data', details: { what: expect.any(String) } });
    expect(res.json().message).toContain(`of import ${id} cannot be read`);
    // The server stays up, and the other imports read as before.
    const other = await newImport();
    expect((await admin.token({ method: 'GET', url: `/api/v1/imports/${other}` })).statusCode).toBe(200);
  });

  it('answers internal.stored_data for a saved configuration whose mapping is corrupt', async () => {
    const id = await newImport();
    const saved = await admin.token({
      method: 'POST',
      url: `/api/v1/imports/${id}/save-config`,
      payload: { name: 'Corrupted' },
    });
    expect(saved.statusCode).toBe(201);
    const configId = saved.json().id as number;
    await sql`update import_configs set mapping = ${'["Email"]'} where id = ${configId}`.execute(db());
    const res = await admin.token({ method: 'GET', url: '/api/v1/import-configs' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({
      code: 'internal.stored_data',
      details: { what: `mapping of import configuration ${configId}` },
    });
  });
});
