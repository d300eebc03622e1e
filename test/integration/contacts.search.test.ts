import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';

let api: TestApi;
let world: World;
let admin: Caller;
let scoped: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  scoped = await api.caller('viewer', world.acme.id);
  const people = [
    {
      customerId: world.acme.id,
      firstName: 'Ann',
      lastName: 'Smith',
      email: 'Ann.Smith@Acme.example',
      externalId: 'CRM-100',
    },
    {
      customerId: world.acme.id,
      firstName: 'Annika',
      lastName: 'Berg',
      email: 'berg@acme.example',
      externalId: 'CRM-101',
    },
    { customerId: world.acme.id, firstName: 'Bob', lastName: 'Annan', email: null, externalId: null },
    {
      customerId: world.globex.id,
      firstName: 'Anna',
      lastName: 'Globex',
      email: 'anna@globex.example',
      externalId: 'G-ANN',
    },
    {
      customerId: world.acme.id,
      firstName: 'Zoë',
      lastName: 'Ärger',
      email: 'zoe@acme.example',
      externalId: null,
    },
  ];
  for (const payload of people) {
    const res = await admin.token({ method: 'POST', url: '/api/v1/contacts', payload });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(() => api.close());

async function search(caller: Caller, query: string): Promise<{ names: string[]; total: number }> {
  const res = await caller.token({ method: 'GET', url: `/api/v1/contacts?${query}` });
  expect(res.statusCode).toBe(200);
  const body = res.json() as { items: { firstName: string; lastName: string }[]; total: number };
  return { names: body.items.map((c) => `${c.firstName} ${c.lastName}`), total: body.total };
}

describe(`contact search on ${process.env.ROSTER_TEST_DB}`, () => {
  it('finds contacts by the start of first name, last name or email, in any case', async () => {
    expect(await search(admin, 'q=ANN')).toEqual({
      names: ['Ann Smith', 'Annika Berg', 'Bob Annan', 'Anna Globex'],
      total: 4,
    });
    expect((await search(admin, 'q=berg%40')).names).toEqual(['Annika Berg']);
    expect((await search(admin, 'q=smi')).names).toEqual(['Ann Smith']);
    expect((await search(admin, 'q=%C3%A4rg')).names).toEqual(['Zoë Ärger']);
  });

  it('finds "first last" with a prefix of the last name', async () => {
    expect((await search(admin, 'q=ann%20sm')).names).toEqual(['Ann Smith']);
  });

  it('matches the CRM id exactly, not as a prefix', async () => {
    expect((await search(admin, 'q=CRM-101')).names).toEqual(['Annika Berg']);
    expect((await search(admin, 'q=CRM-10')).names).toEqual([]);
  });

  it('keeps the search within the customer filter and a scoped admin within their customer', async () => {
    expect((await search(admin, `q=ann&customerId=${world.globex.id}`)).names).toEqual(['Anna Globex']);
    expect(await search(scoped, 'q=ann')).toEqual({
      names: ['Ann Smith', 'Annika Berg', 'Bob Annan'],
      total: 3,
    });
    expect((await search(scoped, 'q=G-ANN')).names).toEqual([]);
  });

  it('pages a search by cursor and counts every match', async () => {
    const first = await admin.token({ method: 'GET', url: '/api/v1/contacts?q=ann&limit=2' });
    const page1 = first.json();
    expect(page1.items).toHaveLength(2);
    expect(page1.total).toBe(4);
    const next = await admin.token({
      method: 'GET',
      url: `/api/v1/contacts?q=ann&limit=2&cursor=${page1.nextCursor}`,
    });
    expect(next.json().items.map((c: { lastName: string }) => c.lastName)).toEqual(['Annan', 'Globex']);
    expect(next.json().nextCursor).toBeNull();
  });

  it('searches by the new name after a contact is renamed', async () => {
    const found = (await admin.token({ method: 'GET', url: '/api/v1/contacts?q=bob' })).json().items[0];
    const res = await admin.token({
      method: 'PATCH',
      url: `/api/v1/contacts/${found.id}`,
      payload: { firstName: 'Robert', email: 'Robert@Acme.example' },
    });
    expect(res.statusCode).toBe(200);
    expect((await search(admin, 'q=bob')).names).toEqual([]);
    expect((await search(admin, 'q=robert%40acme')).names).toEqual(['Robert Annan']);
  });

  it('refuses a search longer than 200 characters, naming the parameter', async () => {
    const res = await admin.token({ method: 'GET', url: `/api/v1/contacts?q=${'a'.repeat(201)}` });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().details)).toContain('q');
  });
});
