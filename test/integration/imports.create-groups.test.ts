import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { expectUnchanged } from '../support/db-snapshot.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient } from '../support/imports.js';

/**
 * The users option `createMissingGroups`: groups the file names that do not exist are noted in the
 * review and created by the commit, only when an administrator turns it on; roles never are.
 */
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

const groups = async () =>
  (await api.db.ctx.db.selectFrom('groups').select('name').orderBy('name').execute()).map((g) => g.name);
const names = (list: { name: string }[]) => list.map((g) => g.name).sort();
const on = { targetOptions: { createMissingGroups: true } };

describe(`creating the groups a file names on ${process.env.ROSTER_TEST_DB}`, () => {
  it('refuses an unknown group while the option is off', async () => {
    const res = await client.upload(
      stringify([
        ['Email', 'Groups'],
        ['off@acme.example', 'Night Shift'],
      ]),
      'off.csv',
    );
    const rows = await client.rows(res.json().id);
    expect(rows[0]!.problems.map((p) => p.code)).toEqual(['group.unknown']);
  });

  it('notes each new group in the review, and the commit creates it once, without roles', async () => {
    const res = await client.upload(
      stringify([
        ['Email', 'Groups', 'Roles'],
        ['ann@acme.example', 'Night Shift; Field', ''],
        ['bob@acme.example', '+night shift; +Fiel', ''],
        ['cy@acme.example', 'Field', 'Night Boss'],
      ]),
      'groups.csv',
      on,
    );
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as number;
    const rows = await client.rows(id);
    expect(rows.map((r) => r.valid)).toEqual([true, true, false]);
    expect(rows[0]!.problems).toEqual([
      expect.objectContaining({ code: 'group.will_create', value: 'Night Shift', severity: 'warning' }),
    ]);
    // Another spelling of a new group is the same group; a name near an existing one says so.
    expect(rows[1]!.problems.map((p) => [p.code, p.value])).toEqual([
      ['group.will_create', '+night shift'],
      ['group.will_create', '+Fiel'],
    ]);
    expect(rows[1]!.problems[1]!.message).toContain('A group "Field" exists');
    // Roles carry permissions: they are never created.
    expect(rows[2]!.problems.map((p) => p.code)).toEqual(['role.unknown']);
    expect(await groups()).toEqual(['Field']);

    await client.commit(id);
    expect(await groups()).toEqual(['Fiel', 'Field', 'Night Shift']);
    expect(names((await client.user('ann@acme.example'))!.groups)).toEqual(['Field', 'Night Shift']);
    expect(names((await client.user('bob@acme.example'))!.groups)).toEqual(['Fiel', 'Night Shift']);
    const night = await api.db.ctx.db
      .selectFrom('groups')
      .leftJoin('group_roles', 'group_roles.group_id', 'groups.id')
      .select(['groups.id', 'group_roles.role_id'])
      .where('groups.name', '=', 'Night Shift')
      .execute();
    expect(night).toEqual([expect.objectContaining({ role_id: null })]);
  });

  it('lets only administrators turn it on, and changes nothing otherwise', async () => {
    const caller = await api.caller('user_admin');
    const userAdmin = importClient(caller, world.acme.id);
    const file = stringify([
      ['Email', 'Groups'],
      ['dee@acme.example', 'Weekend Crew'],
    ]);
    const refused = await expectUnchanged(api.db.ctx.db, () => userAdmin.upload(file, 'groups.csv', on));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('Only administrators may turn on');
    expect(refused.json().details.problems[0].field).toBe('options.targetOptions.createMissingGroups');

    // Nor later, on an import it uploaded without it.
    const staged = await userAdmin.upload(file, 'groups.csv');
    const id = staged.json().id as number;
    const later = await expectUnchanged(api.db.ctx.db, () =>
      caller.token({ method: 'PUT', url: `/api/v1/imports/${id}/options`, payload: on }),
    );
    expect(later.statusCode).toBe(400);
    expect(await groups()).not.toContain('Weekend Crew');
  });

  it('creates nothing when the groups do not come from the file', async () => {
    const res = await client.upload(
      stringify([
        ['Email', 'Groups'],
        ['eve@acme.example', 'Not Read'],
      ]),
      'assigned.csv',
      {
        targetOptions: {
          createMissingGroups: true,
          permissions: { kind: 'assignGroups', groupIds: [world.groups.field] },
        },
      },
    );
    expect(res.statusCode, res.body).toBe(201);
    await client.commit(res.json().id);
    expect(await groups()).not.toContain('Not Read');
    expect(names((await client.user('eve@acme.example'))!.groups)).toEqual(['Field']);
  });
});
