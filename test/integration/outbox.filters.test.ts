import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPaused } from '../../src/storage/queries/outbox.js';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';

let api: TestApi;
let world: World;
let admin: Caller;

const invite = async (email: string, firstName: string, customerId: number) => {
  const res = await admin.token({
    method: 'POST',
    url: '/api/v1/users',
    payload: { email, firstName, lastName: 'Test', customerId },
  });
  expect(res.statusCode).toBe(201);
  const sent = await admin.token({
    method: 'POST',
    url: `/api/v1/users/${res.json().id}/invitations`,
    payload: {},
  });
  expect(sent.statusCode).toBeLessThan(300);
};

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  // Paused: the emails stay queued, so the test reads them as written.
  await setPaused(api.db.ctx.db, true);
  await invite('Ann.Lee@Acme.example', 'Ann', world.acme.id);
  await invite('bob@acme.example', 'Bob', world.acme.id);
  await invite('ann_x@globex.example', 'Zed', world.globex.id);
});
afterAll(() => api.close());

async function outbox(query: string) {
  const res = await admin.token({ method: 'GET', url: `/api/v1/emails?${query}` });
  expect(res.statusCode).toBe(200);
  const body = res.json() as {
    items: { recipient: string; kind: string }[];
    counts: Record<string, number>;
  };
  return { recipients: body.items.map((e) => e.recipient), counts: body.counts };
}

describe(`outbox filters on ${process.env.ROSTER_TEST_DB}`, () => {
  it('finds email by the start of the address or name, in any case, newest first', async () => {
    const found = await outbox('recipient=ANN');
    expect(found.recipients).toEqual(['ann_x@globex.example', 'Ann.Lee@Acme.example']);
    expect(found.counts.queued).toBe(2);
    expect((await outbox('recipient=zed')).recipients).toEqual(['ann_x@globex.example']);
  });

  it('treats % and _ in the search as themselves', async () => {
    expect((await outbox('recipient=ann_')).recipients).toEqual(['ann_x@globex.example']);
    expect((await outbox('recipient=%25')).recipients).toEqual([]);
  });

  it('filters by kind, and combines kind, recipient and customer', async () => {
    expect((await outbox('kind=invitation')).recipients).toHaveLength(3);
    const none = await outbox('kind=password_reset,import_finished');
    expect(none.recipients).toEqual([]);
    expect(none.counts).toEqual({ queued: 0, sending: 0, sent: 0, failed: 0 });
    expect((await outbox(`kind=invitation&recipient=ann&customerId=${world.acme.id}`)).recipients).toEqual([
      'Ann.Lee@Acme.example',
    ]);
  });

  it('refuses an unknown kind, naming the ones there are', async () => {
    const res = await admin.token({ method: 'GET', url: '/api/v1/emails?kind=newsletter' });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('invitation');
  });
});
