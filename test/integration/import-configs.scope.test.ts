import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

/**
 * Import configurations belong to the customer scope of the admin who saved them: a scoped admin
 * sees its customer's and the shared ones, changes only its customer's, and never learns of
 * another customer's.
 */
let api: TestApi;
let world: World;
let acmeAdmin: Caller;
let globexAdmin: Caller;
let globalAdmin: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  acmeAdmin = await api.caller('user_admin', world.acme.id);
  globexAdmin = await api.caller('user_admin', world.globex.id);
  globalAdmin = await api.caller('user_admin');
});
afterAll(() => api.close());

const body = (name: string, mapping: Record<string, string | null> = { Email: 'email' }) => ({
  name,
  target: 'users',
  mapping,
  options: {},
});

async function save(caller: Caller, name: string, mapping?: Record<string, string | null>) {
  const res = await caller.token({
    method: 'POST',
    url: '/api/v1/import-configs',
    payload: body(name, mapping),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; name: string; customerId: number | null };
}

const names = async (caller: Caller) =>
  ((await caller.token({ method: 'GET', url: '/api/v1/import-configs' })).json() as { name: string }[])
    .map((c) => c.name)
    .sort();

describe(`import configurations by customer scope on ${process.env.ROSTER_TEST_DB}`, () => {
  it("stores the saving admin's scope and lists a scoped admin only its customer's and the shared ones", async () => {
    const acme = await save(acmeAdmin, 'Acme layout');
    const globex = await save(globexAdmin, 'Globex layout');
    const shared = await save(globalAdmin, 'Shared layout');
    expect([acme.customerId, globex.customerId, shared.customerId]).toEqual([
      world.acme.id,
      world.globex.id,
      null,
    ]);
    expect(await names(acmeAdmin)).toEqual(['Acme layout', 'Shared layout']);
    expect(await names(globexAdmin)).toEqual(['Globex layout', 'Shared layout']);
    expect(await names(globalAdmin)).toEqual(['Acme layout', 'Globex layout', 'Shared layout']);
  });

  it("answers not found for another customer's configuration, to read, change or delete, and changes nothing", async () => {
    const globex = await save(globexAdmin, 'Globex private');
    const url = `/api/v1/import-configs/${globex.id}`;
    for (const via of ['token', 'cookie'] as const) {
      const read = await acmeAdmin[via]({ method: 'GET', url });
      const put = await acmeAdmin[via]({ method: 'PUT', url, payload: body('Hijacked', { Email: null }) });
      const del = await acmeAdmin[via]({ method: 'DELETE', url });
      expect([read.statusCode, put.statusCode, del.statusCode]).toEqual([404, 404, 404]);
      expect(put.json().code).toBe('import_config.not_found');
    }
    const after = (await globexAdmin.token({ method: 'GET', url })).json();
    expect(after).toMatchObject({ name: 'Globex private', mapping: { Email: 'email' } });
  });

  it('lets a scoped admin read and use a shared configuration but not change or delete it', async () => {
    const shared = await save(globalAdmin, 'Company standard');
    const url = `/api/v1/import-configs/${shared.id}`;
    expect((await acmeAdmin.token({ method: 'GET', url })).statusCode).toBe(200);
    const put = await acmeAdmin.token({
      method: 'PUT',
      url,
      payload: body('Company standard', { Email: null }),
    });
    expect(put.statusCode).toBe(403);
    expect(put.json().code).toBe('import_config.shared');
    expect(put.json().message).toMatch(/only an admin without a customer scope/);
    expect((await acmeAdmin.token({ method: 'DELETE', url })).statusCode).toBe(403);
    expect((await globalAdmin.token({ method: 'GET', url })).json().mapping).toEqual({ Email: 'email' });
    // An admin without a scope changes it.
    expect(
      (await globalAdmin.token({ method: 'PUT', url, payload: body('Company standard v2') })).statusCode,
    ).toBe(200);
  });

  it("keeps names unique per scope, and an import by name takes the admin's own configuration first", async () => {
    await save(globalAdmin, 'Monthly', { Email: 'email', Name: 'firstName' });
    await save(acmeAdmin, 'Monthly', { Email: 'email', Name: 'lastName' });
    await save(globexAdmin, 'Monthly', { Email: 'email', Name: null });
    const again = await acmeAdmin.token({
      method: 'POST',
      url: '/api/v1/import-configs',
      payload: body('monthly'),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('import_config.name_taken');

    const upload = (caller: Caller) => {
      const { payload, headers } = multipart(
        { target: 'users', config: 'Monthly' },
        { name: 'monthly.csv', content: 'Email,Name\nmonthly.person@scope.example,Lee\n' },
      );
      return caller.token({ method: 'POST', url: '/api/v1/imports', payload, headers });
    };
    const nameField = (res: { json(): unknown }) =>
      (
        res.json() as { mapping: { columns: { header: string; field: string | null }[] } }
      ).mapping.columns.find((c) => c.header === 'Name')?.field;
    const byAcme = await upload(acmeAdmin);
    expect(byAcme.statusCode, byAcme.body).toBe(201);
    expect(nameField(byAcme)).toBe('lastName');
    const byGlobex = await upload(globexAdmin);
    expect(nameField(byGlobex)).toBe(null);
    const byGlobal = await upload(globalAdmin);
    expect(nameField(byGlobal)).toBe('firstName');
  });
});
