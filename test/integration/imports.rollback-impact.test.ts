import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPassword } from '../../src/storage/queries/portal.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { type ImportClient, importClient } from '../support/imports.js';

/**
 * Before a rollback, the import says what the rollback would leave as it is: what it wrote and
 * was changed or deleted since, and the users who activated their account since. While the
 * rollback runs, its progress.
 */
let api: TestApi;
let admin: Caller;
let client: ImportClient;
let customerId: number;

beforeAll(async () => {
  api = await startApi();
  admin = await api.caller('administrator');
  customerId = (
    await admin.token({ method: 'POST', url: '/api/v1/customers', payload: { name: 'Impact Co' } })
  ).json().id;
  client = importClient(admin, customerId);
}, 60_000);
afterAll(() => api?.close());

async function committed(prefix: string, n: number): Promise<{ id: number; emails: string[] }> {
  const emails = Array.from({ length: n }, (_, i) => `${prefix}${i}@impact.example`);
  const res = await client.upload(
    `Email,First name\n${emails.map((e) => `${e},Ann`).join('\n')}\n`,
    `${prefix}.csv`,
  );
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as number;
  expect((await client.view(id)).rollbackImpact).toBeNull();
  const done = await client.commit(id);
  expect(done.status).toBe('completed');
  return { id, emails };
}

const userId = async (email: string) => (await client.user(email))!.id;

describe(`rollback impact on ${process.env.ROSTER_TEST_DB}`, () => {
  it('counts users changed, deleted and activated since the import; the rollback leaves exactly those', async () => {
    const { id, emails } = await committed('impact', 5);
    expect((await client.view(id)).rollbackImpact).toEqual({ changedSince: 0, activatedSince: 0 });

    const [changed, activated, deleted] = [emails[0]!, emails[1]!, emails[2]!];
    const patch = await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${await userId(changed)}`,
      payload: { firstName: 'Changed' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    // Activation as the portal's activation writes it: password set, status active, version raised.
    await setPassword(api.db.ctx.db, await userId(activated), 'hash', new Date().toISOString(), true);
    const del = await admin.token({ method: 'DELETE', url: `/api/v1/users/${await userId(deleted)}` });
    expect(del.statusCode).toBeLessThan(300);

    const view = await client.view(id);
    expect(view.rollbackImpact).toEqual({ changedSince: 3, activatedSince: 1 });
    // Lists do not compute it.
    const listed = (await admin.token({ method: 'GET', url: '/api/v1/imports' })).json();
    expect(listed.items.find((i: { id: number }) => i.id === id).rollbackImpact).toBeNull();

    const rolled = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect(rolled.statusCode, rolled.body).toBeLessThan(300);
    const after = await settled(admin, id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback.deleted).toBe(2);
    expect(after.rollback.conflictCount).toBe(3);
    expect(after.rollbackImpact).toBeNull();
    expect(await client.user(changed)).toBeDefined();
    expect(await client.user(activated)).toBeDefined();
    expect(await client.user(emails[3]!)).toBeUndefined();
  });

  it('shows the rollback progress while it runs: the changes dealt with, of all', async () => {
    const { id } = await committed('progress', 4);
    const db = api.db.ctx.db;
    // A rollback halfway, as its job leaves the import between two batches.
    await db.updateTable('imports').set({ status: 'rolling_back' }).where('id', '=', id).execute();
    const half = await db
      .selectFrom('import_changes')
      .select('entity_id')
      .where('import_id', '=', id)
      .orderBy('entity_id')
      .limit(2)
      .execute();
    await db
      .updateTable('import_changes')
      .set({ reverted: 1 })
      .where('import_id', '=', id)
      .where(
        'entity_id',
        'in',
        half.map((h) => h.entity_id),
      )
      .execute();
    const view = await client.view(id);
    expect(view.progress).toEqual({ done: 2, total: 4, ratePerSecond: null, etaSeconds: null });
    expect(view.rollbackImpact).toBeNull();
    await db.updateTable('import_changes').set({ reverted: 0 }).where('import_id', '=', id).execute();
    await db.updateTable('imports').set({ status: 'completed' }).where('id', '=', id).execute();
    expect((await client.view(id)).progress).toMatchObject({ done: 4, total: 4 });
  });

  it("answers 404 to a scoped admin asking for another customer's import, and tells nothing", async () => {
    const { id } = await committed('scoped', 1);
    const other = (
      await admin.token({ method: 'POST', url: '/api/v1/customers', payload: { name: 'Other Impact Co' } })
    ).json().id;
    const scoped = await api.caller('user_admin', other);
    const res = await scoped.token({ method: 'GET', url: `/api/v1/imports/${id}` });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('rollbackImpact');
  });
});
