import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexUsersForSearch } from '../../src/app/users/search-index.js';
import { hasPendingUsers } from '../../src/storage/queries/user-search.js';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { until } from '../support/wait.js';

/**
 * The users list's contains search: part of an email (a domain), of a name, of an employee number,
 * exact whether the users are indexed yet or still pending (written since the indexer last ran).
 */

let api: TestApi;
let world: World;
let admin: Caller;
const ids: Record<string, number> = {};

async function create(key: string, body: object) {
  const res = await admin.token({ method: 'POST', url: '/api/v1/users', payload: body });
  if (res.statusCode !== 201) throw new Error(res.body);
  ids[key] = res.json().id;
}

async function search(q: string, extra = ''): Promise<{ ids: number[]; total: number }> {
  const res = await admin.token({
    method: 'GET',
    url: `/api/v1/users?q=${encodeURIComponent(q)}&limit=100&sort=email${extra}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { items: { id: number }[]; total: number };
  return { ids: body.items.map((u) => u.id).sort((a, b) => a - b), total: body.total };
}

const idsOf = (...keys: string[]) => keys.map((k) => ids[k]!).sort((a, b) => a - b);

/** Every user pending again, as right after an import: the search then reads the users' columns. */
async function markAllPending() {
  await sql`INSERT INTO user_search_pending (user_id) SELECT id FROM users`.execute(api.db.ctx.db);
}

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  const acme = world.acme.id;
  await create('ann', {
    email: 'ann.archer@northwind.example',
    firstName: 'Ann',
    lastName: 'Archer',
    customerId: acme,
    employeeNumber: 'E-10042',
  });
  await create('bob', {
    email: 'bob.baker@northwind.example',
    firstName: 'Bob',
    lastName: 'Baker',
    customerId: acme,
  });
  await create('fra', {
    email: 'f.dubois@contoso.example',
    firstName: 'François',
    lastName: 'Dubois-Émery',
    customerId: acme,
  });
  await create('pct', {
    email: 'odd_name%x@contoso.example',
    firstName: 'Per',
    lastName: 'Cent',
    customerId: acme,
  });
});
afterAll(() => api.close());

const cases: [string, string[]][] = [
  ['northwind.example', ['ann', 'bob']],
  ['NORTHWIND', ['ann', 'bob']],
  ['contoso', ['fra', 'pct']],
  ['rcher', ['ann']],
  ['çois', ['fra']],
  ['ÉMERY', ['fra']],
  ['10042', ['ann']],
  ['e_n', []],
  ['_name%', ['pct']],
  ['e%x', ['pct']],
  ['*x@', []],
  ['nobody-has-this', []],
];

describe(`users contains search on ${process.env.ROSTER_TEST_DB}`, () => {
  it('finds users by any part of their email, names or employee number, once indexed', async () => {
    await indexUsersForSearch(api.db.ctx);
    for (const [q, expected] of cases) {
      const found = await search(q);
      expect(found.ids, q).toEqual(idsOf(...expected));
      expect(found.total, q).toBe(expected.length);
    }
  });

  it('gives the same answers for users written since the index last saw them', async () => {
    await markAllPending();
    for (const [q, expected] of cases) expect((await search(q)).ids, q).toEqual(idsOf(...expected));
    // The server's own indexer may hold the turn (PostgreSQL): the entries are gone once either is done.
    await until(
      'every pending user indexed',
      async () => {
        await indexUsersForSearch(api.db.ctx);
        return hasPendingUsers(api.db.ctx.db);
      },
      (pending) => !pending,
    );
  });

  it('finds users created since the index last saw them, and indexes them', async () => {
    await indexUsersForSearch(api.db.ctx);
    await create('cyd', {
      email: 'cyd.cole@tailspin.test',
      firstName: 'Cyd',
      lastName: 'Cole',
      customerId: world.acme.id,
    });
    // Found at once, whether or not the indexer in the background has seen the user yet.
    expect((await search('tailspin')).ids).toEqual(idsOf('cyd'));
    expect((await search('ailsp', '&status=pending')).ids).toEqual(idsOf('cyd'));
    await until(
      'the new user indexed',
      async () => {
        await indexUsersForSearch(api.db.ctx);
        return hasPendingUsers(api.db.ctx.db);
      },
      (pending) => !pending,
    );
    expect((await search('tailspin')).ids).toEqual(idsOf('cyd'));
    expect((await search('northwind')).ids).toEqual(idsOf('ann', 'bob'));
  });

  it('follows a changed email at once, and after indexing', async () => {
    const res = await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${ids.bob}`,
      payload: { email: 'bob.baker@fabrikam.example' },
    });
    expect(res.statusCode).toBe(200);
    expect((await search('northwind')).ids).toEqual(idsOf('ann'));
    expect((await search('fabrikam')).ids).toEqual(idsOf('bob'));
    await indexUsersForSearch(api.db.ctx);
    expect((await search('northwind')).ids).toEqual(idsOf('ann'));
    expect((await search('fabrikam')).ids).toEqual(idsOf('bob'));
  });

  it('no longer finds a deleted user, before and after indexing', async () => {
    await create('gone', { email: 'gone.user@northwind.example', customerId: world.acme.id });
    await indexUsersForSearch(api.db.ctx);
    expect((await search('gone.user')).ids).toEqual(idsOf('gone'));
    const res = await admin.token({ method: 'DELETE', url: `/api/v1/users/${ids.gone}` });
    expect(res.statusCode).toBe(200);
    expect((await search('gone.user')).ids).toEqual([]);
    await indexUsersForSearch(api.db.ctx);
    expect((await search('gone.user')).ids).toEqual([]);
  });

  it('matches the start of a name or email for one or two characters', async () => {
    expect((await search('an')).ids).toEqual(idsOf('ann'));
    expect((await search('rc')).ids).toEqual([]);
  });

  it('combines with filters, sorting and keyset paging', async () => {
    const page1 = await admin.token({ method: 'GET', url: '/api/v1/users?q=example&sort=email&limit=2' });
    const body1 = page1.json() as { items: { email: string }[]; total: number; nextCursor: string };
    expect(body1.total).toBe(4);
    const page2 = await admin.token({
      method: 'GET',
      url: `/api/v1/users?q=example&sort=email&limit=2&cursor=${body1.nextCursor}`,
    });
    const emails = [...body1.items, ...(page2.json() as { items: { email: string }[] }).items].map(
      (u) => u.email,
    );
    expect(emails).toEqual([...emails].sort());
    expect(new Set(emails).size).toBe(4);
    expect((await search('example', `&customerId=${world.globex.id}`)).ids).toEqual([]);
  });
});
