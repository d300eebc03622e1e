import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../src/app/contacts.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

/** contactUsersRequireAdministrator: contact-users imports kept to admins with the Administrator role. */
let api: TestApi;
let world: World;
let admin: Caller;
let userAdmin: Caller;
const contacts: number[] = [];

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  userAdmin = await api.caller('user_admin');
  for (const name of ['one', 'two', 'three']) {
    const c = await createContact(api.db.ctx, SYSTEM_ACTOR, {
      customerId: world.acme.id,
      firstName: name,
      lastName: 'Contact',
      email: `${name}.contact@acme.example`,
      externalId: null,
    });
    contacts.push(c.id);
  }
});
afterAll(() => api.close());

const upload = (caller: Caller, contactId: number, target = 'contact-users') => {
  const body = multipart(
    { target, options: JSON.stringify({ customerId: world.acme.id }) },
    {
      name: 'contacts.csv',
      content:
        target === 'contact-users'
          ? stringify([
              ['ContactId', 'Role'],
              [String(contactId), 'Manager'],
            ])
          : stringify([['Email'], [`plain${contactId}@acme.example`]]),
    },
  );
  return caller.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
};
const setting = (value: boolean) =>
  admin.token({
    method: 'PATCH',
    url: '/api/v1/settings',
    payload: { contactUsersRequireAdministrator: value },
  });
const userCount = async () =>
  (await admin.token({ method: 'GET', url: '/api/v1/users?limit=1' })).json().total;

describe(`contact users kept to administrators on ${process.env.ROSTER_TEST_DB}`, () => {
  it('is off by default: a user admin creates and commits contact-users imports', async () => {
    const settings = (await admin.token({ method: 'GET', url: '/api/v1/settings' })).json();
    expect(settings.contactUsersRequireAdministrator).toBe(false);
    const res = await upload(userAdmin, contacts[0]!);
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    const commit = await userAdmin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` });
    expect(commit.statusCode, commit.body).toBe(202);
    expect((await settled(userAdmin, id)).status).toBe('completed');
  });

  it('when on, refuses a user admin creating or committing one with a typed 403, and changes nothing', async () => {
    // Staged while the setting was off, committed after it was turned on.
    const staged = await upload(userAdmin, contacts[1]!);
    expect(staged.statusCode).toBe(201);
    const stagedId = staged.json().id;
    expect((await setting(true)).statusCode).toBe(200);
    const before = await userCount();

    const create = await upload(userAdmin, contacts[2]!);
    expect(create.statusCode).toBe(403);
    expect(create.json()).toMatchObject({
      code: 'import.administrator_required',
      message: expect.stringContaining('Administrator role'),
    });
    const commit = await userAdmin.token({ method: 'POST', url: `/api/v1/imports/${stagedId}/commit` });
    expect(commit.statusCode).toBe(403);
    expect(commit.json().code).toBe('import.administrator_required');
    expect((await admin.token({ method: 'GET', url: `/api/v1/imports/${stagedId}` })).json().status).toBe(
      'validated',
    );
    expect(await userCount()).toBe(before);

    // Other targets are not concerned.
    const users = await upload(userAdmin, 1, 'users');
    expect(users.statusCode, users.body).toBe(201);

    // An administrator still may, both ways.
    const own = await upload(admin, contacts[2]!);
    expect(own.statusCode, own.body).toBe(201);
    const done = await admin.token({ method: 'POST', url: `/api/v1/imports/${stagedId}/commit` });
    expect(done.statusCode, done.body).toBe(202);
    expect((await settled(admin, stagedId)).status).toBe('completed');
    expect((await setting(false)).statusCode).toBe(200);
  });

  it('refuses a setting that is not a yes or no', async () => {
    const res = await admin.token({
      method: 'PATCH',
      url: '/api/v1/settings',
      payload: { contactUsersRequireAdministrator: 'yes' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.problems[0].field).toBe('contactUsersRequireAdministrator');
  });
});
