import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttribute } from '../../src/app/attributes.js';
import { createGroup } from '../../src/app/roles.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { recordColumns } from '../../src/storage/queries/records.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient, parseCsv } from '../support/imports.js';
import { multipart } from '../support/upload.js';

/** The Action column (and the import's default action): create, update, disable, enable, delete, and a delete rolled back. */
let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
  await createGroup(api.db.ctx, SYSTEM_ACTOR, { name: 'Office' });
  await createAttribute(api.db.ctx, SYSTEM_ACTOR, { key: 'cost_center', label: 'Cost center', type: 'text' });
});
afterAll(() => api.close());

async function staged(rows: string[][], options: object = {}, by: ImportClient = client) {
  const res = await by.upload(stringify(rows), 'people.csv', options);
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as number;
  return { id, rows: await by.rows(id) };
}

async function seed(rows: string[][]) {
  const { id, rows: out } = await staged(rows);
  expect(
    out.every((r) => r.valid),
    JSON.stringify(out.map((r) => r.problems)),
  ).toBe(true);
  expect((await client.commit(id)).status).toBe('completed');
}

const user = async (email: string) => (await client.user(email))!;
const codes = (row: { problems: { code: string; severity: string }[] }) =>
  row.problems.filter((p) => p.severity === 'error').map((p) => p.code);

describe(`an action per row on ${process.env.ROSTER_TEST_DB}`, () => {
  it('creates, updates, disables, enables and deletes, each as its row says', async () => {
    await seed([
      ['Email', 'Last name'],
      ['upd@acme.example', 'Old'],
      ['off@acme.example', 'Off'],
      ['back@acme.example', 'Back'],
      ['gone@acme.example', 'Gone'],
      ['still@acme.example', 'Still'],
    ]);
    // A user disabled beforehand: enable brings it back; disabling it again changes nothing.
    await seed([
      ['Email', 'Status'],
      ['back@acme.example', 'disabled'],
      ['still@acme.example', 'disabled'],
    ]);
    const count = await client.userCount();
    const { id, rows } = await staged([
      ['Email', 'Last name', 'Action'],
      ['new@acme.example', 'New', 'create'],
      ['upd@acme.example', 'Updated', 'update'],
      ['off@acme.example', '', 'disable'],
      ['back@acme.example', '', 'Enable'],
      ['gone@acme.example', '', 'delete'],
      ['still@acme.example', '', 'disable'],
      ['plain@acme.example', 'Plain', ''],
    ]);
    expect(rows.map((r) => r.action)).toEqual([
      'create',
      'update',
      'update',
      'update',
      'delete',
      'update',
      'create',
    ]);
    const view = await client.view(id);
    expect(view.planned.delete).toBe(1);
    // The deletes are committed only with their number, as the console confirms them.
    const userCount = await client.userCount();
    for (const payload of [undefined, { confirmDeletes: 2 }, { confirmDeletes: 0 }]) {
      const refused = await admin.token({
        method: 'POST',
        url: `/api/v1/imports/${id}/commit`,
        ...(payload && { payload }),
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({
        code: 'import.confirm_deletes',
        message: 'This import deletes 1 user. Commit it with confirmDeletes: 1 to go ahead.',
        details: { deletes: 1 },
      });
    }
    expect((await client.view(id)).status).toBe('validated');
    expect(await client.userCount()).toBe(userCount);
    const done = await client.commit(id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({
      created: 2,
      updated: 1,
      disabled: 1,
      enabled: 1,
      deleted: 1,
      unchanged: 1,
    });
    const results = await client.rows(id);
    expect(results.map((r) => r.result)).toEqual([
      'created',
      'updated',
      'disabled',
      'enabled',
      'deleted',
      'unchanged',
      'created',
    ]);
    expect((await user('upd@acme.example')).lastName).toBe('Updated');
    expect((await user('off@acme.example')).status).toBe('disabled');
    // Never activated: enabled back to pending, as the console's Enable does.
    expect((await user('back@acme.example')).status).toBe('pending');
    expect((await user('off@acme.example')).lastName).toBe('Off');
    expect(await client.user('gone@acme.example')).toBeUndefined();
    expect(await client.userCount()).toBe(count + 2 - 1);

    // The success file says what each row did.
    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    const result = success[0]!.indexOf('result');
    expect(success.slice(1).map((l) => l[result])).toEqual([
      'created',
      'updated',
      'disabled',
      'enabled',
      'deleted',
      'unchanged',
      'created',
    ]);
  });

  it('refuses create of an existing user and update, disable or delete of a missing one', async () => {
    await seed([
      ['Email', 'Last name'],
      ['here@acme.example', 'Here'],
    ]);
    const before = await user('here@acme.example');
    const { id, rows } = await staged([
      ['Email', 'Action'],
      ['here@acme.example', 'create'],
      ['missing1@acme.example', 'update'],
      ['missing2@acme.example', 'disable'],
      ['missing3@acme.example', 'delete'],
    ]);
    expect(rows.map(codes)).toEqual([
      ['user.exists'],
      ['user.not_found'],
      ['user.not_found'],
      ['user.not_found'],
    ]);
    expect(rows[0]!.problems[0]!.message).toContain('"create"');
    expect((await client.view(id)).rows.valid).toBe(0);
    expect((await user('here@acme.example')).version).toBe(before.version);
  });

  it('refuses an action it does not know, naming the ones it does', async () => {
    const { rows } = await staged([
      ['Email', 'Action'],
      ['someone@acme.example', 'remove'],
    ]);
    expect(rows[0]!.valid).toBe(false);
    const bad = rows[0]!.problems.find((p) => p.column === 'Action')!;
    expect(bad.severity).toBe('error');
    expect(bad.message).toMatch(/delete/);
    expect(await client.user('someone@acme.example')).toBeUndefined();
  });

  it('takes the import-wide default action, and refuses one it does not know', async () => {
    await seed([
      ['Email', 'Last name'],
      ['dflt@acme.example', 'Default'],
    ]);
    const { id, rows } = await staged([['Email'], ['dflt@acme.example']], {
      targetOptions: { defaultAction: 'disable' },
    });
    expect(rows[0]).toMatchObject({ valid: true, action: 'update' });
    await client.commit(id);
    expect((await user('dflt@acme.example')).status).toBe('disabled');

    const res = await client.upload(stringify([['Email'], ['x@acme.example']]), 'x.csv', {
      targetOptions: { defaultAction: 'purge' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.problems[0].field).toBe('options.targetOptions.defaultAction');
  });

  it('accepts delete and disable rows with only the key: no email, names or customer', async () => {
    await seed([
      ['Email', 'Username', 'First name', 'Last name'],
      ['keyonly1@acme.example', 'keyonly1', 'Key', 'One'],
      ['keyonly2@acme.example', 'keyonly2', 'Key', 'Two'],
    ]);
    const other = importClient(admin, world.acme.id);
    // No customer chosen and no Customer column: a delete row does not need one.
    const res = await admin.token({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart(
        { target: 'users', options: JSON.stringify({ targetOptions: { matchBy: 'username' } }) },
        {
          name: 'key.csv',
          content: stringify([
            ['Username', 'Email', 'Action'],
            ['keyonly1', '', 'delete'],
            ['keyonly2', '', 'disable'],
          ]),
        },
      ),
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as number;
    const rows = await other.rows(id);
    expect(rows.map((r) => [r.valid, r.action])).toEqual([
      [true, 'delete'],
      [true, 'update'],
    ]);
    await other.commit(id);
    expect(await client.user('keyonly1@acme.example')).toBeUndefined();
    expect((await user('keyonly2@acme.example')).status).toBe('disabled');
  });

  it('restores a deleted user by rollback: same id, roles, groups, attributes and history', async () => {
    await seed([
      ['Email', 'Roles', 'Groups', 'Cost center', 'Employee number'],
      ['restore@acme.example', 'Manager', 'Office', 'CC-7', 'R-1'],
    ]);
    // A change through the API: an audit entry in the user's history.
    const before = await user('restore@acme.example');
    const patch = await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${before.id}`,
      payload: { firstName: 'Rita' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const kept = await user('restore@acme.example');
    const history = async (id: number) =>
      (await admin.token({ method: 'GET', url: `/api/v1/users/${id}/history?limit=100` })).json().items as {
        id: number;
        action: string;
      }[];
    const historyBefore = await history(before.id);
    expect(historyBefore.length).toBeGreaterThan(0);

    const { id } = await staged([
      ['Email', 'Action'],
      ['restore@acme.example', 'delete'],
    ]);
    const done = await client.commit(id);
    expect(done.counts.deleted).toBe(1);
    expect(await client.user('restore@acme.example')).toBeUndefined();
    expect((await admin.token({ method: 'GET', url: `/api/v1/users/${before.id}` })).statusCode).toBe(404);
    expect((await client.view(id)).rollbackImpact).toEqual({ changedSince: 0, activatedSince: 0 });

    const rolled = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect(rolled.statusCode, rolled.body).toBeLessThan(300);
    const after = await settled(admin, id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({ restored: 1, conflictCount: 0 });

    const back = await user('restore@acme.example');
    expect(back).toEqual(kept);
    expect(back.roles.map((r) => r.name)).toEqual(['Manager']);
    expect(back.groups.map((g) => g.name)).toEqual(['Office']);
    expect(back.attributes).toEqual({ cost_center: 'CC-7' });
    expect(back.firstName).toBe('Rita');
    const historyAfter = await history(back.id);
    for (const entry of historyBefore) expect(historyAfter.map((e) => e.id)).toContain(entry.id);
  });

  it('leaves a deleted user deleted when its email was taken since, and says so', async () => {
    await seed([
      ['Email', 'Username'],
      ['taken@acme.example', 'taken'],
    ]);
    const { id } = await staged([
      ['Email', 'Action'],
      ['taken@acme.example', 'delete'],
    ]);
    await client.commit(id);
    await seed([['Email'], ['taken@acme.example']]);
    const newcomer = await user('taken@acme.example');
    await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    const after = await settled(admin, id);
    expect(after.rollback.conflictCount).toBe(1);
    expect(after.rollback.conflicts[0]).toMatchObject({
      label: 'taken@acme.example',
      reason: expect.stringContaining('taken'),
    });
    expect((await user('taken@acme.example')).id).toBe(newcomer.id);
  });

  it('refuses to delete a user who owns records', async () => {
    await seed([['Email'], ['owner@acme.example']]);
    const owner = await user('owner@acme.example');
    const at = new Date().toISOString();
    await api.db.ctx.db
      .insertInto('records')
      .values({
        ...recordColumns({
          type: 'customers',
          ownerUserId: owner.id,
          customerId: world.acme.id,
          key: 'C-1',
          title: 'Corner shop',
          customerRef: null,
          date: null,
          fields: {},
          attributes: {},
        }),
        version: 1,
        import_id: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const { rows } = await staged([
      ['Email', 'Action'],
      ['owner@acme.example', 'delete'],
    ]);
    expect(codes(rows[0]!)).toEqual(['user.owns_records']);
    expect(rows[0]!.problems[0]!.message).toContain('owns 1 record');
    expect((await user('owner@acme.example')).version).toBe(owner.version);
  });

  it("keeps a scoped admin's deletes and disables inside their customer", async () => {
    const globexAdmin = await api.caller('user_admin', world.globex.id);
    await seed([['Email'], ['acme.only@acme.example']]);
    const target = await user('acme.only@acme.example');
    const scoped = importClient(globexAdmin, world.globex.id);
    const { id, rows } = await staged(
      [
        ['Email', 'Action'],
        ['acme.only@acme.example', 'delete'],
      ],
      {},
      scoped,
    );
    expect(codes(rows[0]!)).toEqual(['user.exists_elsewhere']);
    const byId = await staged(
      [
        ['user_id', 'Action'],
        [String(target.id), 'disable'],
      ],
      { targetOptions: { matchBy: 'userId' } },
      scoped,
    );
    expect(codes(byId.rows[0]!)).toEqual(['user.exists_elsewhere']);
    expect((await client.view(id)).planned.delete ?? 0).toBe(0);
    const now = await user('acme.only@acme.example');
    expect(now.version).toBe(target.version);
    expect(now.status).toBe(target.status);
  });

  it('refuses a viewer, who may not run imports, and so may not delete by file', async () => {
    const viewer = await api.caller('viewer');
    const res = await importClient(viewer, world.acme.id).upload(
      stringify([
        ['Email', 'Action'],
        ['x@acme.example', 'delete'],
      ]),
      'x.csv',
    );
    expect(res.statusCode).toBe(403);
  });
});
