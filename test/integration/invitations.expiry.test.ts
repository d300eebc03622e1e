import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { multipart } from '../support/upload.js';

/**
 * How long an invitation link lasts: INVITE_TTL_DAYS from the environment until an administrator
 * sets the expiry in the settings, for invitations an admin sends and those an import writes.
 */
let api: TestApi;
let world: World;
let admin: Caller;
const DAY = 86_400_000;

beforeAll(async () => {
  api = await startApi({ env: { INVITE_TTL_DAYS: '14' } });
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(async () => {
  await api.close();
});

interface InvitationJson {
  createdAt: string;
  expiresAt: string;
  importId: number | null;
}

async function invitationsOf(userId: number): Promise<InvitationJson[]> {
  const res = await admin.token({ method: 'GET', url: `/api/v1/users/${userId}/invitations` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const lifetimeDays = (i: InvitationJson) => (Date.parse(i.expiresAt) - Date.parse(i.createdAt)) / DAY;

let seq = 0;
async function invitedUser(): Promise<InvitationJson> {
  const created = await admin.token({
    method: 'POST',
    url: '/api/v1/users',
    payload: {
      email: `ttl${++seq}@expiry.example`,
      firstName: 'Tess',
      lastName: 'Ttl',
      customerId: world.acme.id,
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as number;
  const sent = await admin.token({ method: 'POST', url: `/api/v1/users/${id}/invitations`, payload: {} });
  expect(sent.statusCode, sent.body).toBe(201);
  return (await invitationsOf(id))[0]!;
}

describe(`invitation expiry on ${process.env.ROSTER_TEST_DB}`, () => {
  it('lasts INVITE_TTL_DAYS when the settings do not say, for an admin’s invitation and an import’s', async () => {
    const settings = await admin.token({ method: 'GET', url: '/api/v1/settings' });
    expect(settings.json().inviteTtlDays).toBe(14);
    expect(lifetimeDays(await invitedUser())).toBe(14);

    const body = multipart(
      {
        target: 'users',
        options: JSON.stringify({
          customerId: world.acme.id,
          mode: 'insert',
          targetOptions: { sendInvites: true },
        }),
      },
      {
        name: 'ttl.csv',
        content: stringify([
          ['Email', 'First name', 'Last name'],
          ['imported@expiry.example', 'Ima', 'Port'],
        ]),
      },
    );
    const upload = await admin.token({ method: 'POST', url: '/api/v1/imports', ...body });
    expect(upload.statusCode, upload.body).toBe(201);
    const id = upload.json().id as number;
    expect((await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/commit` })).statusCode).toBe(202);
    const done = await settled(admin, id);
    expect(done.counts.created).toBe(1);
    const user = (
      await admin.token({ method: 'GET', url: '/api/v1/users?q=imported%40expiry.example' })
    ).json().items[0];
    const [invitation] = await invitationsOf(user.id);
    expect(invitation).toMatchObject({ importId: id });
    expect(lifetimeDays(invitation!)).toBe(14);
  });

  it('lasts what an administrator sets, over the environment', async () => {
    const patch = await admin.token({
      method: 'PATCH',
      url: '/api/v1/settings',
      payload: { inviteTtlDays: 3 },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(lifetimeDays(await invitedUser())).toBe(3);
  });
});
