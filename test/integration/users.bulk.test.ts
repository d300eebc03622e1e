import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { until } from '../support/wait.js';

/**
 * Bulk actions on users: each action through the single-user rules (audit entry and version bump
 * per user, one audit entry for the action), scoped admins limited to their customer, bad input
 * refused with nothing changed, and the permission delete needs.
 */

let api: TestApi;
let world: World;
let admin: Caller;
let counter = 0;

interface BulkView {
  id: number;
  status: string;
  progress: { done: number; total: number };
  counts: { changed: number; unchanged: number; failed: number };
  failures: { userId: number; code: string; message: string }[];
}

interface UserView {
  id: number;
  status: string;
  version: number;
  groups: { id: number }[];
}

async function createUser(customerId: number, extra: object = {}): Promise<number> {
  const n = ++counter;
  const res = await admin.token({
    method: 'POST',
    url: '/api/v1/users',
    payload: {
      email: `bulk.${n}@bulk${customerId}.example`,
      firstName: 'Bulk',
      lastName: `User ${n}`,
      customerId,
      ...extra,
    },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().id;
}

async function user(id: number): Promise<UserView> {
  return (await admin.token({ method: 'GET', url: `/api/v1/users/${id}` })).json();
}

async function run(caller: Caller, body: object): Promise<BulkView> {
  const res = await caller.token({ method: 'POST', url: '/api/v1/users/bulk', payload: body });
  expect(res.statusCode, res.body).toBe(202);
  const id = (res.json() as BulkView).id;
  return until(
    `bulk action ${id} to finish`,
    async () => (await caller.token({ method: 'GET', url: `/api/v1/users/bulk/${id}` })).json() as BulkView,
    (v) => v.status === 'done',
  );
}

async function auditCount(action: string, entityId?: number): Promise<number> {
  let q = api.db.ctx.db.selectFrom('audit_log').select('id').where('action', '=', action);
  if (entityId !== undefined) q = q.where('entity_id', '=', String(entityId));
  return (await q.execute()).length;
}

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});

afterAll(async () => {
  await api?.close();
});

describe('bulk actions on users', () => {
  it('disables and enables users by id, each with its audit entry and a version bump', async () => {
    const a = await createUser(world.acme.id);
    const b = await createUser(world.acme.id);
    const before = await user(a);
    const disabled = await run(admin, { action: 'disable', selection: { ids: [a, b] } });
    expect(disabled.progress).toEqual({ done: 2, total: 2 });
    expect(disabled.counts).toEqual({ changed: 2, unchanged: 0, failed: 0 });
    expect((await user(a)).status).toBe('disabled');
    expect((await user(a)).version).toBe(before.version + 1);
    expect(await auditCount('user.disable', a)).toBe(1);
    expect(await auditCount('user.bulk', disabled.id)).toBe(1);

    const again = await run(admin, { action: 'disable', selection: { ids: [a] } });
    expect(again.counts).toEqual({ changed: 0, unchanged: 1, failed: 0 });

    const enabled = await run(admin, { action: 'enable', selection: { ids: [a, b] } });
    expect(enabled.counts.changed).toBe(2);
    expect((await user(b)).status).toBe('pending');
  });

  it('disables every user a filter matches, in batches', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createUser(world.globex.id, { employeeNumber: `FLT-${i}` }));
    const view = await run(admin, {
      action: 'disable',
      selection: { filter: { q: 'flt-', customerId: world.globex.id } },
    });
    expect(view.counts).toEqual({ changed: 5, unchanged: 0, failed: 0 });
    for (const id of ids) expect((await user(id)).status).toBe('disabled');
  });

  it('adds to and removes from a group', async () => {
    const a = await createUser(world.acme.id);
    const added = await run(admin, {
      action: 'add_to_group',
      groupId: world.groups.field,
      selection: { ids: [a] },
    });
    expect(added.counts.changed).toBe(1);
    expect((await user(a)).groups.map((g) => g.id)).toEqual([world.groups.field]);
    const removed = await run(admin, {
      action: 'remove_from_group',
      groupId: world.groups.field,
      selection: { ids: [a] },
    });
    expect(removed.counts.changed).toBe(1);
    expect((await user(a)).groups).toEqual([]);
    // Each change is in the user's history with its diff, as a change from the user page is.
    const history = await admin.token({ method: 'GET', url: `/api/v1/users/${a}/history` });
    const diffs = (history.json().items as { action: string; details: { changes?: unknown[] } }[])
      .filter((e) => e.action === 'user.update')
      .map((e) => e.details.changes);
    expect(diffs).toEqual([
      [{ field: 'groups', label: 'Groups', added: [], removed: ['Field'] }],
      [{ field: 'groups', label: 'Groups', added: ['Field'], removed: [] }],
    ]);
  });

  it('resends invitations, reporting users that cannot get one', async () => {
    const pending = await createUser(world.acme.id);
    const disabled = await createUser(world.acme.id);
    await run(admin, { action: 'disable', selection: { ids: [disabled] } });
    const view = await run(admin, { action: 'resend_invitation', selection: { ids: [pending, disabled] } });
    expect(view.counts).toEqual({ changed: 1, unchanged: 0, failed: 1 });
    expect(view.failures).toEqual([
      expect.objectContaining({ userId: disabled, code: 'invitation.not_invitable' }),
    ]);
    const invitations = await admin.token({ method: 'GET', url: `/api/v1/users/${pending}/invitations` });
    expect(invitations.json().items ?? invitations.json()).toHaveLength(1);
  });

  it('deletes users with the single-user permission; a viewer may not', async () => {
    const a = await createUser(world.acme.id);
    const viewer = await api.caller('viewer');
    const refused = await viewer.token({
      method: 'POST',
      url: '/api/v1/users/bulk',
      payload: { action: 'delete', selection: { ids: [a] } },
    });
    expect(refused.statusCode).toBe(403);
    expect((await user(a)).id).toBe(a);
    const view = await run(admin, { action: 'delete', selection: { ids: [a] } });
    expect(view.counts.changed).toBe(1);
    expect((await admin.token({ method: 'GET', url: `/api/v1/users/${a}` })).statusCode).toBe(404);
    expect(await auditCount('user.delete', a)).toBe(1);
  });

  it('limits a scoped admin to their customer', async () => {
    const mine = await createUser(world.acme.id, { employeeNumber: 'ZQSCOPE1' });
    const theirs = await createUser(world.globex.id, { employeeNumber: 'ZQSCOPE2' });
    const scoped = await api.caller('user_admin', world.acme.id);
    const byIds = await run(scoped, { action: 'disable', selection: { ids: [mine, theirs] } });
    expect(byIds.counts).toEqual({ changed: 1, unchanged: 0, failed: 1 });
    expect(byIds.failures).toEqual([expect.objectContaining({ userId: theirs, code: 'user.not_found' })]);
    expect((await user(theirs)).status).toBe('pending');

    // The filter is forced to the admin's customer, whatever it asks.
    const byFilter = await run(scoped, { action: 'disable', selection: { filter: { q: 'zqscope' } } });
    expect(byFilter.progress.total).toBe(1);
    expect((await user(theirs)).status).toBe('pending');
    const other = await scoped.token({
      method: 'POST',
      url: '/api/v1/users/bulk',
      payload: { action: 'disable', selection: { filter: { customerId: world.globex.id } } },
    });
    expect(other.statusCode).toBe(404);
    // Another customer's admin does not see the action.
    const globexAdmin = await api.caller('user_admin', world.globex.id);
    const seen = await globexAdmin.token({ method: 'GET', url: `/api/v1/users/bulk/${byIds.id}` });
    expect(seen.statusCode).toBe(404);
  });

  it.each([
    ['an unknown action', { action: 'archive', selection: { ids: [1] } }],
    ['no selection', { action: 'disable' }],
    ['an empty id list', { action: 'disable', selection: { ids: [] } }],
    ['both ids and a filter', { action: 'disable', selection: { ids: [1], filter: {} } }],
    ['an unknown filter', { action: 'disable', selection: { filter: { colour: 'red' } } }],
    ['a group action without a group', { action: 'add_to_group', selection: { ids: [1] } }],
    ['a group that does not exist', { action: 'add_to_group', groupId: 999_999, selection: { ids: [1] } }],
    ['a group on an action that takes none', { action: 'disable', groupId: 1, selection: { ids: [1] } }],
    ['an id that is not a number', { action: 'disable', selection: { ids: ['x'] } }],
  ])('refuses %s with a 400 and changes nothing', async (_what, payload) => {
    const before = await api.db.ctx.db.selectFrom('user_bulk_actions').select('id').execute();
    const res = await admin.token({ method: 'POST', url: '/api/v1/users/bulk', payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toBeTruthy();
    const after = await api.db.ctx.db.selectFrom('user_bulk_actions').select('id').execute();
    expect(after.length).toBe(before.length);
  });

  it('answers 404 for a bulk action that does not exist', async () => {
    const res = await admin.token({ method: 'GET', url: '/api/v1/users/bulk/999999' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('bulk_action.not_found');
  });
});
