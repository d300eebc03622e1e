import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { type ImportClient, importClient } from '../support/imports.js';

/**
 * The import history as an administrator narrows it: by status, target, who started it, a date
 * range and part of the file's name, on the server; and discarding an upload that was never
 * committed.
 */
let api: TestApi;
let admin: Caller;
let other: Caller;
let scoped: Caller;
let acme: ImportClient;
let globex: ImportClient;
const ids = {} as Record<'march' | 'april' | 'other' | 'globex' | 'committed', number>;

async function uploaded(client: ImportClient, name: string, rows = 2): Promise<number> {
  const lines = ['Email'];
  for (let i = 0; i < rows; i++) lines.push(`${name.replace(/\W/g, '').toLowerCase()}${i}@history.example`);
  const res = await client.upload(`${lines.join('\n')}\n`, name);
  if (res.statusCode !== 201) throw new Error(`upload of ${name}: ${res.body}`);
  return res.json().id;
}

async function list(caller: Caller, query: string) {
  const res = await caller.token({ method: 'GET', url: `/api/v1/imports?${query}` });
  return res;
}

const idsOf = async (caller: Caller, query: string) =>
  ((await list(caller, query)).json().items as { id: number }[]).map((i) => i.id);

beforeAll(async () => {
  api = await startApi();
  admin = await api.caller('administrator');
  const customer = async (name: string) =>
    (await admin.token({ method: 'POST', url: '/api/v1/customers', payload: { name } })).json() as {
      id: number;
    };
  const a = await customer('Acme History');
  const g = await customer('Globex History');
  other = await api.caller('user_admin');
  scoped = await api.caller('user_admin', g.id);
  acme = importClient(admin, a.id);
  globex = importClient(scoped, g.id);
  ids.march = await uploaded(acme, 'staff-march.csv');
  ids.april = await uploaded(acme, 'Staff_April 100%.csv');
  ids.other = await uploaded(importClient(other, a.id), 'contractors.csv');
  ids.globex = await uploaded(globex, 'globex-staff.csv');
  ids.committed = await uploaded(acme, 'committed-staff.csv');
  await acme.commit(ids.committed);
  // Spread over days, as a history is.
  const at = (id: number, iso: string) =>
    api.db.ctx.db.updateTable('imports').set({ created_at: iso }).where('id', '=', id).execute();
  await at(ids.march, '2026-03-10T09:00:00.000Z');
  await at(ids.april, '2026-04-02T23:59:59.000Z');
  await at(ids.other, '2026-04-03T00:00:00.000Z');
  await at(ids.globex, '2026-04-20T12:00:00.000Z');
  await at(ids.committed, '2026-05-01T08:00:00.000Z');
}, 60_000);
afterAll(() => api?.close());

describe(`import history filters on ${process.env.ROSTER_TEST_DB}`, () => {
  it('filters by status, one or several', async () => {
    expect(await idsOf(admin, 'status=completed')).toEqual([ids.committed]);
    expect(await idsOf(admin, 'status=validated')).toEqual([ids.globex, ids.other, ids.april, ids.march]);
    expect(await idsOf(admin, 'status=completed,validated')).toHaveLength(5);
  });

  it('filters by target and by who started the import, and lists who did', async () => {
    expect(await idsOf(admin, 'target=users')).toHaveLength(5);
    expect(await idsOf(admin, 'target=customers')).toEqual([]);
    const res = await list(admin, '');
    const view = res.json();
    const mine = view.items.find((i: { id: number }) => i.id === ids.march).createdBy as string;
    const theirs = view.items.find((i: { id: number }) => i.id === ids.other).createdBy as string;
    expect(view.startedBy).toEqual(expect.arrayContaining([mine, theirs]));
    expect(await idsOf(admin, `createdBy=${encodeURIComponent(theirs)}`)).toEqual([ids.other]);
    expect(await idsOf(admin, `createdBy=${encodeURIComponent(mine)}`)).toEqual([
      ids.committed,
      ids.april,
      ids.march,
    ]);
  });

  it('filters by a date range, both days included', async () => {
    expect(await idsOf(admin, 'from=2026-04-01&to=2026-04-02')).toEqual([ids.april]);
    expect(await idsOf(admin, 'from=2026-04-03')).toEqual([ids.committed, ids.globex, ids.other]);
    expect(await idsOf(admin, 'to=2026-03-10')).toEqual([ids.march]);
  });

  it('searches part of the file name in any case, with % and _ taken as they are', async () => {
    expect(await idsOf(admin, 'q=STAFF')).toEqual([ids.committed, ids.globex, ids.april, ids.march]);
    expect(await idsOf(admin, 'q=100%25')).toEqual([ids.april]);
    expect(await idsOf(admin, 'q=f_a')).toEqual([ids.april]);
    expect(await idsOf(admin, 'q=%25')).toEqual([ids.april]);
    expect(await idsOf(admin, 'q=staff&status=validated&from=2026-04-01')).toEqual([ids.globex, ids.april]);
  });

  it('keeps a scoped admin to their customer, filters and starters alike', async () => {
    expect(await idsOf(scoped, 'q=staff')).toEqual([ids.globex]);
    const res = (await list(scoped, '')).json();
    expect(res.startedBy).toEqual([res.items[0].createdBy]);
  });

  it('pages a filtered list by cursor', async () => {
    const first = (await list(admin, 'q=staff&limit=2')).json();
    expect(first.items.map((i: { id: number }) => i.id)).toEqual([ids.committed, ids.globex]);
    expect(await idsOf(admin, `q=staff&limit=2&before=${first.nextCursor}`)).toEqual([ids.april, ids.march]);
  });

  it.each([
    ['status=done', 'query.status.0'],
    ['from=2026-13-01', 'query.from'],
    ['from=yesterday', 'query.from'],
    ['from=2026-05-02&to=2026-05-01', 'query.to'],
    ['q=', 'query.q'],
    ['colour=red', 'query.colour'],
  ])('refuses %s, naming the parameter', async (query, field) => {
    const res = await list(admin, query);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('request.invalid');
    expect(res.json().details.problems.map((p: { field: string }) => p.field)).toContain(field);
  });
});

describe(`discarding an upload on ${process.env.ROSTER_TEST_DB}`, () => {
  it('discards an uploaded, uncommitted import: it leaves "Ready to review" and writes nothing', async () => {
    const id = await uploaded(acme, 'discard-me.csv', 3);
    const before = await acme.userCount();
    const res = await admin.cookie({ method: 'POST', url: `/api/v1/imports/${id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    expect(await idsOf(admin, 'status=validated&q=discard')).toEqual([]);
    expect(await idsOf(admin, 'status=cancelled&q=discard')).toEqual([id]);
    expect(await acme.userCount()).toBe(before);
    const commit = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` });
    expect(commit.statusCode).toBe(409);
  });

  it('refuses to discard a committed import and changes nothing', async () => {
    const res = await admin.token({ method: 'POST', url: `/api/v1/imports/${ids.committed}/cancel` });
    expect(res.statusCode).toBe(409);
    expect((await acme.view(ids.committed)).status).toBe('completed');
  });

  it("answers 404 to a scoped admin discarding another customer's import", async () => {
    const res = await scoped.token({ method: 'POST', url: `/api/v1/imports/${ids.march}/cancel` });
    expect(res.statusCode).toBe(404);
    expect((await acme.view(ids.march)).status).toBe('validated');
  });
});
