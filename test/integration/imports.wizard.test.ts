import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

/** What the console's wizard needs beyond the upload: options chosen after mapping, and row positions. */
let api: TestApi;
let world: World;
let admin: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

async function upload(rows: string[][], options: object = {}) {
  const body = multipart(
    { target: 'users', options: JSON.stringify({ customerId: world.acme.id, ...options }) },
    { name: 'people.csv', content: stringify(rows) },
  );
  const res = await admin.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; rows: { valid: number; invalid: number }; planned: object };
}

describe(`the import wizard's API on ${process.env.ROSTER_TEST_DB}`, () => {
  it('changes the options after the upload and validates every row again under them', async () => {
    const existing = await upload([['Email'], ['kept@acme.example']]);
    await admin.token({ method: 'POST', url: `/api/v1/imports/${existing.id}/commit` });
    expect((await settled(admin, existing.id)).status).toBe('completed');

    const view = await upload([
      ['Email', 'First name'],
      ['kept@acme.example', 'Kept'],
      ['new@acme.example', 'New'],
    ]);
    expect(view.planned).toEqual({ update: 1, create: 1 });
    const changed = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/options`,
      payload: {
        mode: 'insert',
        targetOptions: { permissions: { kind: 'assignGroups', groupIds: [world.groups.field] } },
      },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      status: 'validated',
      planned: { skip: 1, create: 1 },
      options: {
        mode: 'insert',
        customerId: world.acme.id,
        targetOptions: { sendInvites: false, permissions: { kind: 'assignGroups' } },
      },
    });

    const refused = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/options`,
      payload: { targetOptions: { permissions: { kind: 'assignGroups', groupIds: [999_999] } } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('No group with id 999999');
  });

  it('refuses to change the options of a committed import', async () => {
    const view = await upload([['Email'], ['late@acme.example']]);
    await admin.token({ method: 'POST', url: `/api/v1/imports/${view.id}/commit` });
    const res = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/options`,
      payload: { mode: 'upsert' },
    });
    expect(res.statusCode).toBe(409);
  });

  it("tells a page asked for by row number where it starts among the filter's rows", async () => {
    const rows = [['Email']];
    for (let i = 0; i < 30; i++) rows.push([i % 3 === 0 ? `bad-${i}` : `p${i}@acme.example`]);
    const view = await upload(rows);
    expect(view.rows).toEqual({ total: 30, valid: 20, invalid: 10 });
    const rowsUrl = `/api/v1/imports/${view.id}/rows`;
    const firstBad = (await admin.token({ method: 'GET', url: `${rowsUrl}?filter=invalid&limit=4` })).json();
    expect(firstBad.offset).toBe(0);
    const fourth = firstBad.items[3].row as number;
    const fromFourth = (
      await admin.token({ method: 'GET', url: `${rowsUrl}?filter=invalid&after=${fourth - 1}&limit=2` })
    ).json();
    expect(fromFourth.items[0].row).toBe(fourth);
    expect(fromFourth.offset).toBe(3);
    const inAll = (
      await admin.token({ method: 'GET', url: `${rowsUrl}?after=${fourth - 1}&limit=2` })
    ).json();
    expect(inAll.offset).toBe(9);
    const paged = (await admin.token({ method: 'GET', url: `${rowsUrl}?offset=20&limit=5` })).json();
    expect(paged.offset).toBe(20);
  });
});
