import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { importClient, loadXlsx, parseCsv } from '../support/imports.js';

/**
 * The users list's export: the users the list shows (its search and filters, within the admin's
 * scope) as a users template, which uploads back as an update that changes nothing.
 */

let api: TestApi;
let world: World;
let admin: Caller;

async function create(body: object) {
  const res = await admin.token({ method: 'POST', url: '/api/v1/users', payload: body });
  if (res.statusCode !== 201) throw new Error(res.body);
}

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  for (let i = 0; i < 3; i++) {
    await create({
      email: `north${i}@northwind.example`,
      firstName: `North${i}`,
      lastName: 'Wind',
      customerId: world.acme.id,
      employeeNumber: `00${i}`,
    });
  }
  await create({ email: 'south@contoso.example', firstName: 'South', customerId: world.acme.id });
  await create({ email: 'gus@globex.example', firstName: 'Gus', customerId: world.globex.id });
});
afterAll(() => api.close());

const exportUrl = (query: string) => `/api/v1/users/export?${query}`;

describe(`users export on ${process.env.ROSTER_TEST_DB}`, () => {
  it('exports the users a search selects, as the users template with its hint row', async () => {
    const res = await admin.token({ method: 'GET', url: exportUrl('q=northwind&format=csv') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/users-\d{4}-\d{2}-\d{2}\.csv/);
    const rows = parseCsv(res.rawPayload);
    const header = rows[0]!;
    expect(header).toContain('Email');
    expect(rows[1]![header.indexOf('Email')]).toMatch(/^Required/);
    const emails = rows.slice(2).map((r) => r[header.indexOf('Email')]);
    expect(emails).toEqual([
      'north0@northwind.example',
      'north1@northwind.example',
      'north2@northwind.example',
    ]);
    // Leading zeros as stored.
    expect(rows[2]![header.indexOf('Employee number')]).toBe('000');
    const audit = await api.db.ctx.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'user.export')
      .execute();
    expect(audit.length).toBe(1);
    expect(JSON.parse(String(audit[0]!.details))).toMatchObject({ users: 3, format: 'csv' });
  });

  it('keeps a scoped admin to their customer, and refuses another customer', async () => {
    const scoped = await api.caller('user_admin', world.acme.id);
    const res = await scoped.token({ method: 'GET', url: exportUrl('format=csv') });
    expect(res.statusCode).toBe(200);
    const rows = parseCsv(res.rawPayload);
    const emails = rows.slice(2).map((r) => r[rows[0]!.indexOf('Email')]);
    expect(emails).not.toContain('gus@globex.example');
    expect(emails.length).toBe(4);
    const other = await scoped.token({
      method: 'GET',
      url: exportUrl(`format=csv&customerId=${world.globex.id}`),
    });
    expect([403, 404]).toContain(other.statusCode);
  });

  it('refuses an unknown format or filter with a clear error', async () => {
    const bad = await admin.token({ method: 'GET', url: exportUrl('format=pdf') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request.invalid');
    const unknown = await admin.token({ method: 'GET', url: exportUrl('colour=red') });
    expect(unknown.statusCode).toBe(400);
  });

  it('round-trips: the XLSX export uploaded back as an update changes nothing', async () => {
    const res = await admin.token({ method: 'GET', url: exportUrl(`customerId=${world.acme.id}`) });
    expect(res.statusCode).toBe(200);
    const book = await loadXlsx(res.rawPayload);
    expect(book.worksheets[0]!.rowCount).toBe(2 + 4);
    const imports = importClient(admin, world.acme.id);
    const up = await imports.upload(res.rawPayload, 'users.xlsx', { mode: 'update' });
    expect(up.statusCode, up.body).toBe(201);
    const view = await imports.commit(up.json().id);
    expect(view.status).toBe('completed');
    expect(view.counts).toMatchObject({ unchanged: 4 });
  });
});
