import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../src/app/contacts.js';
import { createUser } from '../../src/app/users/create-user.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

let api: TestApi;
let world: World;
let admin: Caller;
const ids: Record<string, number> = {};

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  const add = async (key: string, externalId: string | null, email: string | null) => {
    const c = await createContact(api.db.ctx, SYSTEM_ACTOR, {
      customerId: world.acme.id,
      firstName: key,
      lastName: 'Contact',
      email,
      externalId,
    });
    ids[key] = c.id;
  };
  await add('crm', '001A0000006Vm9rIAC', 'crm.person@acme.example');
  await add('plain', null, 'plain.person@acme.example');
  await add('noemail', '0035g00000AbCdHAAV', null);
  await add('hasuser', '0035g00000AbCdIAAV', 'has.user@acme.example');
  await createUser(api.db.ctx, SYSTEM_ACTOR, {
    email: 'someone@acme.example',
    customerId: world.acme.id,
    contactId: ids.hasuser!,
  });
});
afterAll(() => api.close());

describe(`contact-users target on ${process.env.ROSTER_TEST_DB}`, () => {
  it('creates users from contacts by CRM id (15 or 18 characters) or our id, and reports every refusal', async () => {
    const file = stringify([
      ['ContactId', 'Role'],
      ['001A0000006Vm9r', 'Manager'],
      [String(ids.plain), 'Engineer'],
      ['0035g00000AbCdHAAV', 'Manager'],
      ['0035g00000AbCdIAAV', 'Manager'],
      ['0035g00000ZZZZZAAA', 'Manager'],
      [String(ids.plain), ''],
    ]);
    const body = multipart({ target: 'contact-users' }, { name: 'contacts.csv', content: file });
    const res = await admin.token({
      method: 'POST',
      url: '/api/v1/imports',
      payload: body.payload,
      headers: body.headers,
    });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view.options.mode).toBe('insert');
    expect(view.mapping.complete).toBe(true);
    const rows = (
      await admin.token({ method: 'GET', url: `/api/v1/imports/${view.id}/rows?filter=invalid` })
    ).json().items;
    const codes = Object.fromEntries(
      rows.map((r: { row: number; problems: { code: string }[] }) => [r.row, r.problems.map((p) => p.code)]),
    );
    expect(codes).toEqual({
      4: ['contact.no_email'],
      5: ['contact.has_user'],
      6: ['contact.not_found'],
      7: ['value.required', 'row.duplicate'],
    });
    await admin.token({ method: 'POST', url: `/api/v1/imports/${view.id}/commit` });
    const done = await settled(admin, view.id);
    expect(done.counts).toMatchObject({ created: 2, failed: 4 });
    const crm = (await admin.token({ method: 'GET', url: '/api/v1/users?q=crm.person' })).json().items[0];
    expect(crm).toMatchObject({
      firstName: 'crm',
      contactId: ids.crm,
      roles: [{ name: 'Manager' }],
      site: { name: 'HQ' },
      status: 'pending',
      username: 'crm.person',
    });
  });

  it('refuses a mode other than insert', async () => {
    const body = multipart(
      { target: 'contact-users', options: JSON.stringify({ mode: 'upsert' }) },
      { name: 'c.csv', content: 'ContactId,Role\n1,Manager\n' },
    );
    const res = await admin.token({
      method: 'POST',
      url: '/api/v1/imports',
      payload: body.payload,
      headers: body.headers,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/does not allow mode "upsert"/);
  });
});
