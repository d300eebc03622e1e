import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { importClient } from '../support/imports.js';

let api: TestApi;
let world: World;
let admin: Caller;
let userId: number;
let importId: number;

interface Entry {
  id: number;
  action: string;
  entityType: string;
  entityId: string | null;
}

const history = async (caller: Caller, query = '') =>
  caller.token({ method: 'GET', url: `/api/v1/users/${userId}/history${query}` });

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  const created = await admin.token({
    method: 'POST',
    url: '/api/v1/users',
    payload: { email: 'hist@acme.example', firstName: 'Hist', customerId: world.acme.id },
  });
  userId = created.json().id;
  await admin.token({ method: 'PATCH', url: `/api/v1/users/${userId}`, payload: { lastName: 'Ory' } });
  // Another user's change must not show in this user's history.
  await admin.token({
    method: 'POST',
    url: '/api/v1/users',
    payload: { email: 'other@acme.example', customerId: world.acme.id },
  });
  const imports = importClient(admin, world.acme.id);
  const file = stringify([
    ['Email', 'First name', 'Last name'],
    ['hist@acme.example', 'Histo', 'Ory'],
  ]);
  const up = await imports.upload(file, 'people.csv', { mode: 'upsert' });
  expect(up.statusCode).toBe(201);
  importId = up.json().id;
  expect((await imports.commit(importId)).status).toBe('completed');
});
afterAll(() => api.close());

describe(`a user's history on ${process.env.ROSTER_TEST_DB}`, () => {
  it('lists the entries about the user and the import that changed them, newest first', async () => {
    const res = await history(admin);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Entry[];
    expect(items.map((e) => e.action)).toEqual([
      'import.completed',
      'import.commit',
      'user.update',
      'user.create',
    ]);
    expect(items.filter((e) => e.entityType === 'import').every((e) => e.entityId === String(importId))).toBe(
      true,
    );
    expect(items.filter((e) => e.entityType === 'user').every((e) => e.entityId === String(userId))).toBe(
      true,
    );
    const ids = items.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it('pages with the cursor of the previous page', async () => {
    const first = (await history(admin, '?limit=3')).json();
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = (await history(admin, `?limit=3&before=${first.nextCursor}`)).json();
    expect(second.items.map((e: Entry) => e.action)).toEqual(['user.create']);
    expect(second.nextCursor).toBeNull();
  });

  it('is readable by a viewer, who may not read the audit log', async () => {
    const viewer = await api.caller('viewer');
    expect((await viewer.token({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(403);
    const res = await history(viewer);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(4);
  });

  it('answers not found to an admin scoped to another customer, and for an unknown user', async () => {
    const own = await api.caller('viewer', world.acme.id);
    const other = await api.caller('user_admin', world.globex.id);
    expect((await history(own)).statusCode).toBe(200);
    const res = await history(other);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('user.not_found');
    const unknown = await admin.token({ method: 'GET', url: '/api/v1/users/999999/history' });
    expect(unknown.statusCode).toBe(404);
  });
});
