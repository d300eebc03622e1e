import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient, parseCsv } from '../support/imports.js';
import { until } from '../support/wait.js';

/** `firstRows`: commit the first N valid rows, look, then roll back or commit the rest. */
let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
});
afterAll(() => api.close());

const RUNNING = ['queued', 'committing', 'cancelling', 'rolling_back'];
const settle = (id: number) =>
  until(
    `import ${id} to settle`,
    async () => (await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json(),
    (view) => !RUNNING.includes(view.status),
  );
const post = (id: number, what: 'commit' | 'rollback', payload?: object) =>
  admin.token({ method: 'POST', url: `/api/v1/imports/${id}/${what}`, ...(payload && { payload }) });

/** Five rows: the third is invalid, so the valid ones are rows 2, 4, 5, 6 (file rows). */
async function staged(prefix: string, options: object = { mode: 'upsert' }) {
  const file = stringify([
    ['Email', 'Last name'],
    [`${prefix}1@acme.example`, 'One'],
    [`${prefix}2@acme.example`, 'Two'],
    ['not an email', 'Bad'],
    [`${prefix}3@acme.example`, 'Three'],
    [`${prefix}4@acme.example`, 'Four'],
  ]);
  const res = await client.upload(file, `${prefix}.csv`, options);
  expect(res.statusCode).toBe(201);
  expect(res.json().rows).toMatchObject({ valid: 4, invalid: 1 });
  return res.json().id as number;
}

const exists = async (email: string) => (await client.user(email)) !== undefined;
const successLines = async (id: number) =>
  parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`)).slice(1);

describe(`committing the first rows on ${process.env.ROSTER_TEST_DB}`, () => {
  it('commits the first N valid rows, stops partly committed, then commits the rest once', async () => {
    const id = await staged('fr');
    expect((await post(id, 'commit', { firstRows: 2 })).statusCode).toBe(202);
    const part = await settle(id);
    expect(part.status).toBe('partly_committed');
    expect(part.counts).toMatchObject({ created: 2, updated: 0 });
    expect([await exists('fr1@acme.example'), await exists('fr2@acme.example')]).toEqual([true, true]);
    expect([await exists('fr3@acme.example'), await exists('fr4@acme.example')]).toEqual([false, false]);
    expect((await client.rows(id)).map((r) => r.result)).toEqual(['created', 'created', null, null, null]);
    expect((await successLines(id)).map((l) => l[0])).toEqual(['fr1@acme.example', 'fr2@acme.example']);
    // Its mapping and options are those the first rows were written with: they no longer change.
    const options = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/options`,
      payload: { mode: 'insert' },
    });
    expect(options.json().code).toBe('import.partly_committed');

    expect((await post(id, 'commit')).statusCode).toBe(202);
    const done = await settle(id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ created: 4, updated: 0, unchanged: 0, failed: 1 });
    expect((await client.rows(id)).map((r) => r.result)).toEqual([
      'created',
      'created',
      null,
      'created',
      'created',
    ]);
    expect((await successLines(id)).map((l) => l[0])).toEqual([
      'fr1@acme.example',
      'fr2@acme.example',
      'fr3@acme.example',
      'fr4@acme.example',
    ]);
    // Each user once, as the first commit left the first two.
    const first = (await client.user('fr1@acme.example'))!;
    expect(first.version).toBe(1);
  });

  it('commits the first rows in parts, then rolls back both parts', async () => {
    const id = await staged('rb');
    await post(id, 'commit', { firstRows: 1 });
    expect((await settle(id)).status).toBe('partly_committed');
    await post(id, 'commit', { firstRows: 1 });
    expect((await settle(id)).status).toBe('partly_committed');
    expect([await exists('rb1@acme.example'), await exists('rb2@acme.example')]).toEqual([true, true]);
    expect(await exists('rb3@acme.example')).toBe(false);

    expect((await post(id, 'rollback')).statusCode).toBe(202);
    const after = await settle(id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({ deleted: 2, restored: 0, conflictCount: 0 });
    expect([await exists('rb1@acme.example'), await exists('rb2@acme.example')]).toEqual([false, false]);
    expect((await post(id, 'commit')).json().code).toBe('import.rolled_back');
  });

  it('refuses 0, a negative, a fraction or text with a clear error, and changes nothing', async () => {
    const id = await staged('bad');
    const users = await client.userCount();
    for (const firstRows of [0, -3, 1.5, 'two']) {
      const res = await post(id, 'commit', { firstRows });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'request.invalid' });
      expect(res.json().details.problems[0].field).toBe('firstRows');
    }
    expect((await client.view(id)).status).toBe('validated');
    expect(await client.userCount()).toBe(users);
  });

  it('commits every row when N is the valid rows or more: the import completes', async () => {
    const id = await staged('all');
    await post(id, 'commit', { firstRows: 4 });
    const done = await settle(id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ created: 4, failed: 1 });
  });

  it('refuses firstRows on an all-or-nothing import, and says why', async () => {
    const file = stringify([['Email'], ['atom@acme.example']]);
    const res = await client.upload(file, 'atomic.csv', { mode: 'upsert', atomic: true });
    const id = res.json().id as number;
    const refused = await post(id, 'commit', { firstRows: 1 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details.problems[0]).toMatchObject({ field: 'firstRows' });
    expect(refused.json().message).toContain('all-or-nothing');
    expect((await client.view(id)).status).toBe('validated');
    expect(await exists('atom@acme.example')).toBe(false);
  });
});
