import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup } from '../../src/app/roles.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient } from '../support/imports.js';

/** Roles and Groups cells: plain names are the whole set; +Name adds and -Name removes, keeping the rest. */
let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
  await createGroup(api.db.ctx, SYSTEM_ACTOR, { name: 'Office' });
});
afterAll(() => api.close());

async function run(rows: string[][], options: object = { mode: 'upsert' }) {
  const res = await client.upload(stringify(rows), 'people.csv', options);
  expect(res.statusCode).toBe(201);
  const id = res.json().id as number;
  return { id, rows: await client.rows(id) };
}

async function committed(rows: string[][]) {
  const { id, rows: staged } = await run(rows);
  expect(staged.every((r) => r.valid)).toBe(true);
  const done = await client.commit(id);
  expect(done.status).toBe('completed');
  return client.rows(id);
}

const names = (list: { name: string }[]) => list.map((x) => x.name).sort();

describe(`membership changes in a file on ${process.env.ROSTER_TEST_DB}`, () => {
  it('adds, removes, and does both, keeping the other roles and groups', async () => {
    await committed([
      ['Email', 'Roles', 'Groups'],
      ['ann@acme.example', 'Manager', 'Field'],
      ['bob@acme.example', 'Manager; Engineer', 'Field; Office'],
      ['cy@acme.example', 'Engineer', 'Office'],
    ]);
    const rows = await committed([
      ['Email', 'Roles', 'Groups'],
      ['ann@acme.example', '+Engineer', '+Office'],
      ['bob@acme.example', '-Manager', '-Field'],
      ['cy@acme.example', '+Manager; -Engineer', '+Field; -Office'],
      ['dee@acme.example', '+Manager; -Engineer', '+Office'],
    ]);
    expect(rows.map((r) => r.result)).toEqual(['updated', 'updated', 'updated', 'created']);

    const ann = (await client.user('ann@acme.example'))!;
    expect(names(ann.roles)).toEqual(['Engineer', 'Manager']);
    expect(names(ann.groups)).toEqual(['Field', 'Office']);
    const bob = (await client.user('bob@acme.example'))!;
    expect(names(bob.roles)).toEqual(['Engineer']);
    expect(names(bob.groups)).toEqual(['Office']);
    const cy = (await client.user('cy@acme.example'))!;
    expect(names(cy.roles)).toEqual(['Manager']);
    expect(names(cy.groups)).toEqual(['Field']);
    // A new user starts with none: additions are its set, removals change nothing.
    const dee = (await client.user('dee@acme.example'))!;
    expect(names(dee.roles)).toEqual(['Manager']);
    expect(names(dee.groups)).toEqual(['Office']);
  });

  it('leaves a user unchanged when the additions are held and the removals are not', async () => {
    await committed([
      ['Email', 'Roles', 'Groups'],
      ['eve@acme.example', 'Manager', 'Field'],
    ]);
    const before = (await client.user('eve@acme.example'))!;
    const rows = await committed([
      ['Email', 'Roles', 'Groups'],
      ['eve@acme.example', '+Manager; -Engineer', '+Field; -Office'],
    ]);
    expect(rows[0]!.result).toBe('unchanged');
    const after = (await client.user('eve@acme.example'))!;
    expect(after.version).toBe(before.version);
  });

  it('keeps plain names meaning the whole set', async () => {
    await committed([
      ['Email', 'Roles', 'Groups'],
      ['fay@acme.example', 'Manager; Engineer', 'Field; Office'],
    ]);
    await committed([
      ['Email', 'Roles', 'Groups'],
      ['fay@acme.example', 'Engineer', 'Office'],
    ]);
    const fay = (await client.user('fay@acme.example'))!;
    expect(names(fay.roles)).toEqual(['Engineer']);
    expect(names(fay.groups)).toEqual(['Office']);
  });

  it('refuses a cell mixing plain names with + or -, and unknown names, and changes nothing', async () => {
    await committed([
      ['Email', 'Roles', 'Groups'],
      ['gus@acme.example', 'Manager', 'Field'],
    ]);
    const before = (await client.user('gus@acme.example'))!;
    const count = await client.userCount();
    const { rows } = await run([
      ['Email', 'Roles', 'Groups'],
      ['gus@acme.example', 'Engineer; +Manager', ''],
      ['gus2@acme.example', '', 'Field; -Office'],
      ['gus3@acme.example', '+manager', '-Ofice'],
      ['gus4@acme.example', '+Manager; -Manager', ''],
      ['gus5@acme.example', '+', ''],
    ]);
    expect(rows.map((r) => r.valid)).toEqual([false, false, false, false, false]);
    expect(rows[0]!.problems[0]).toMatchObject({ code: 'membership.mixed', column: 'Roles' });
    expect(rows[0]!.problems[0]!.message).toContain('not both in one cell');
    expect(rows[1]!.problems[0]).toMatchObject({ code: 'membership.mixed', column: 'Groups' });
    expect(rows[2]!.problems).toEqual([
      expect.objectContaining({ code: 'role.unknown', value: '+manager', suggestion: '+Manager' }),
      expect.objectContaining({ code: 'group.unknown', value: '-Ofice', suggestion: '-Office' }),
    ]);
    expect(rows[3]!.problems[0]).toMatchObject({ code: 'membership.add_and_remove' });
    expect(rows[4]!.problems[0]).toMatchObject({ code: 'membership.empty' });
    expect(await client.userCount()).toBe(count);
    const after = (await client.user('gus@acme.example'))!;
    expect(after.version).toBe(before.version);
    expect(names(after.roles)).toEqual(['Manager']);
  });
});
