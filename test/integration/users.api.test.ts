import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { importClient } from '../support/imports.js';

let api: TestApi;
let world: World;
let admin: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

const create = (body: object) => admin.token({ method: 'POST', url: '/api/v1/users', payload: body });

describe(`users API on ${process.env.ROSTER_TEST_DB}`, () => {
  it('creates a user with defaults: site HQ, type Standard, status pending, username from the email', async () => {
    const res = await create({
      email: '  Jane.Doe@Example.com ',
      firstName: 'Jane',
      lastName: 'Doe',
      customerId: world.acme.id,
    });
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({
      email: 'Jane.Doe@Example.com',
      username: 'jane.doe',
      displayName: 'Jane Doe',
      site: { id: world.acmeHq, name: 'HQ' },
      customer: { id: world.acme.id, name: 'Acme' },
      userType: 'Standard',
      status: 'pending',
      version: 1,
    });
  });

  it('refuses an email that differs only in case, and changes nothing', async () => {
    const before = (await admin.token({ method: 'GET', url: '/api/v1/users' })).json().total;
    const res = await create({ email: 'JANE.DOE@example.COM', customerId: world.acme.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('user.email_taken');
    expect((await admin.token({ method: 'GET', url: '/api/v1/users' })).json().total).toBe(before);
  });

  it('derives a username with a counter when the email local part is taken', async () => {
    const res = await create({ email: 'jane.doe@other.example', customerId: world.acme.id });
    expect(res.statusCode).toBe(201);
    expect(res.json().username).toBe('jane.doe2');
    const third = await create({ email: 'Jane.Doe@third.example', customerId: world.acme.id });
    expect(third.json().username).toBe('jane.doe3');
  });

  it('keeps leading zeros of an employee number and stores roles and groups', async () => {
    const res = await create({
      email: 'zero@example.com',
      customerId: world.acme.id,
      siteId: world.acmeNorth,
      employeeNumber: '000123',
      roleIds: [world.roles.manager],
      groupIds: [world.groups.field],
      userType: 'Privileged',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      employeeNumber: '000123',
      roles: [{ id: world.roles.manager, name: 'Manager' }],
      groups: [{ id: world.groups.field, name: 'Field' }],
      site: { name: 'North' },
      userType: 'Privileged',
    });
  });

  it('refuses an inactive role, a site of another customer and the system status expired', async () => {
    const res = await create({
      email: 'bad@example.com',
      customerId: world.acme.id,
      siteId: world.globexHq,
      roleIds: [world.roles.retired],
      status: 'expired',
    });
    expect(res.statusCode).toBe(400);
    const codes = res.json().details.problems.map((p: { code: string }) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['role.inactive', 'site.not_found', 'status.not_settable']));
  });

  it('updates only the fields sent and bumps the version', async () => {
    const created = (
      await create({ email: 'patch@example.com', firstName: 'Pat', customerId: world.acme.id })
    ).json();
    const res = await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${created.id}`,
      payload: { lastName: 'Smith', status: 'disabled' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ firstName: 'Pat', lastName: 'Smith', status: 'disabled', version: 2 });
  });

  it('moving a user to another customer puts them at its HQ', async () => {
    const created = (
      await create({ email: 'mover@example.com', customerId: world.acme.id, siteId: world.acmeNorth })
    ).json();
    const res = await admin.token({
      method: 'PATCH',
      url: `/api/v1/users/${created.id}`,
      payload: { customerId: world.globex.id },
    });
    expect(res.json()).toMatchObject({ customer: { id: world.globex.id }, site: { id: world.globexHq } });
  });

  it('searches by prefix of email, username or name, in any case', async () => {
    await create({
      email: 'searchable.person@example.com',
      firstName: 'Quentin',
      lastName: 'Quartz',
      customerId: world.acme.id,
    });
    for (const q of ['SEARCHABLE', 'quartz', 'quentin q']) {
      const res = await admin.token({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent(q)}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((u: { email: string }) => u.email)).toContain(
        'searchable.person@example.com',
      );
    }
    const none = await admin.token({ method: 'GET', url: '/api/v1/users?q=zzzz-nobody' });
    expect(none.json()).toMatchObject({ items: [], total: 0 });
  });

  it('filters by status, customer and role, and pages with a cursor without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) {
      await create({
        email: `pager${i}@globex.example`,
        customerId: world.globex.id,
        roleIds: [world.roles.engineer],
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/users?customerId=${world.globex.id}&roleId=${world.roles.engineer}&status=pending&sort=email&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await admin.token({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.total).toBe(7);
      seen.push(...body.items.map((u: { email: string }) => u.email));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...Array(7).keys()].map((i) => `pager${i}@globex.example`));
  });

  it('pages by offset for page numbers', async () => {
    const all = (await admin.token({ method: 'GET', url: '/api/v1/users?sort=email&limit=500' })).json()
      .items;
    const page2 = (
      await admin.token({ method: 'GET', url: '/api/v1/users?sort=email&limit=2&offset=2' })
    ).json();
    expect(page2.items.map((u: { id: number }) => u.id)).toEqual(
      all.slice(2, 4).map((u: { id: number }) => u.id),
    );
  });

  it('refuses a forged cursor with a clear error', async () => {
    const res = await admin.token({ method: 'GET', url: '/api/v1/users?cursor=not-a-cursor' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/cursor/);
  });

  it('deletes a user and records it in the audit log', async () => {
    const created = (await create({ email: 'gone@example.com', customerId: world.acme.id })).json();
    expect((await admin.token({ method: 'DELETE', url: `/api/v1/users/${created.id}` })).statusCode).toBe(
      200,
    );
    expect((await admin.token({ method: 'GET', url: `/api/v1/users/${created.id}` })).statusCode).toBe(404);
    const audit = (
      await admin.token({ method: 'GET', url: `/api/v1/audit?entityType=user&entityId=${created.id}` })
    ).json();
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(['user.delete', 'user.create']);
  });
});

describe(`statuses an admin may give, on ${process.env.ROSTER_TEST_DB}`, () => {
  const problemsOf = (res: { json(): { code: string; details: { problems?: unknown } } }) => {
    const body = res.json();
    return { code: body.code, problems: body.details.problems };
  };
  const total = async () => (await admin.token({ method: 'GET', url: '/api/v1/users?limit=1' })).json().total;

  it('refuses to create a user blocked or disabled, and creates nothing', async () => {
    const before = await total();
    const blocked = await create({
      email: 'blocked.new@example.com',
      customerId: world.acme.id,
      status: 'blocked',
    });
    expect(blocked.statusCode).toBe(400);
    expect(problemsOf(blocked)).toEqual({
      code: 'validation.failed',
      problems: [
        { field: 'status', code: 'status.historical', message: expect.stringMatching(/historical/) },
      ],
    });
    const disabled = await create({
      email: 'disabled.new@example.com',
      customerId: world.acme.id,
      status: 'disabled',
    });
    expect(disabled.statusCode).toBe(400);
    expect(problemsOf(disabled)).toEqual({
      code: 'validation.failed',
      problems: [
        {
          field: 'status',
          code: 'status.not_for_new_users',
          message: expect.stringMatching(/pending or active/),
        },
      ],
    });
    expect(await total()).toBe(before);
  });

  it('refuses to block an existing user, and disables one only through the disable action', async () => {
    const user = (await create({ email: 'legacy.target@example.com', customerId: world.acme.id })).json();
    const patch = (status: string) =>
      admin.token({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload: { status } });
    const blocked = await patch('blocked');
    expect(blocked.statusCode).toBe(400);
    expect(problemsOf(blocked)).toMatchObject({
      code: 'validation.failed',
      problems: [{ field: 'status', code: 'status.historical' }],
    });
    const unchanged = (await admin.token({ method: 'GET', url: `/api/v1/users/${user.id}` })).json();
    expect(unchanged).toMatchObject({ status: 'pending', version: user.version });

    const disabled = await patch('disabled');
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().status).toBe('disabled');
    const audit = (
      await admin.token({ method: 'GET', url: `/api/v1/audit?entityType=user&entityId=${user.id}` })
    ).json();
    expect(audit.items[0].action).toBe('user.disable');
    expect((await patch('blocked')).statusCode).toBe(400);
  });

  it('refuses blocked in an import, for new and existing users alike', async () => {
    const imports = importClient(admin, world.acme.id);
    await create({ email: 'legacy.existing@example.com', customerId: world.acme.id });
    const res = await imports.upload(
      'Email,Status\nlegacy.new@example.com,blocked\nlegacy.existing@example.com,blocked\nlegacy.other@example.com,disabled\n',
      'legacy.csv',
      { mode: 'upsert' },
    );
    expect(res.statusCode, res.body).toBe(201);
    const rows = await imports.rows(res.json().id);
    expect(rows.map((r) => r.valid)).toEqual([false, false, false]);
    for (const row of rows) {
      expect(row.problems.map((p) => p.column)).toContain('Status');
    }
  });
});
