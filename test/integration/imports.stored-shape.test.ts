import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/storage/migrate.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { importClient } from '../support/imports.js';

/**
 * Imports stored before the targets owned their options and restore points (migrations 0009 and
 * 0010) stay readable: undone to 0008 they take the old shape, and migrated again they come back
 * exactly, and can still be rolled back.
 */
let api: TestApi;
let world: World;
let admin: Caller;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

type Raw = Record<string, unknown>;
const db = () => api.db.ctx.db;

async function rawState() {
  const imports = await sql<Raw>`select id, options, rollback from imports order by id`.execute(db());
  const changes = await sql<Raw>`select * from import_changes order by import_id, 2, 3`.execute(db());
  const configs = await sql<Raw>`select id, options from import_configs order by id`.execute(db());
  return { imports: imports.rows, changes: changes.rows, configs: configs.rows };
}

describe(`imports stored in the earlier shape, on ${process.env.ROSTER_TEST_DB}`, () => {
  it('move their options and restore points to the new shape and back, and roll back afterwards', async () => {
    const client = importClient(admin, world.acme.id);
    const upload = async (rows: string[][], options: object) => {
      const res = await client.upload(stringify(rows), 'people.csv', options);
      expect(res.statusCode).toBe(201);
      return res.json().id as number;
    };
    await client.commit(
      await upload(
        [
          ['Email', 'First name'],
          ['old@acme.example', 'Old'],
        ],
        {},
      ),
    );
    const options = {
      mode: 'upsert',
      targetOptions: {
        matchBy: 'email',
        defaultAction: 'upsert',
        createMissingGroups: false,
        sendInvites: true,
        inviteMessage: 'Welcome',
        permissions: { kind: 'assignGroups', groupIds: [world.groups.field] },
      },
    };
    const kept = await upload(
      [
        ['Email', 'First name'],
        ['old@acme.example', 'Changed'],
        ['new@acme.example', 'New'],
      ],
      options,
    );
    expect((await client.commit(kept)).counts).toMatchObject({ created: 1, updated: 1 });
    const undone = await upload([['Email'], ['r1@acme.example'], ['r2@acme.example']], {});
    await client.commit(undone);
    const r2 = (await client.user('r2@acme.example'))!;
    await admin.token({ method: 'PATCH', url: `/api/v1/users/${r2.id}`, payload: { lastName: 'Edited' } });
    await admin.token({ method: 'POST', url: `/api/v1/imports/${undone}/rollback` });
    expect((await settled(admin, undone)).rollback.conflicts).toEqual([
      expect.objectContaining({ entityType: 'user', entityId: r2.id, label: 'r2@acme.example' }),
    ]);
    const config = await admin.token({
      method: 'POST',
      url: `/api/v1/imports/${kept}/save-config`,
      payload: { name: 'Kept' },
    });
    expect(config.json().options).toEqual({
      emptyCells: 'keep',
      atomic: false,
      dateOrder: 'auto',
      ...options,
    });
    const now = await rawState();

    await migrateTo(db(), '0008_invitation_message');
    const before = await rawState();
    const keptBefore = before.imports.find((r) => r.id === kept)!;
    expect(JSON.parse(keptBefore.options as string)).toEqual({
      mode: 'upsert',
      emptyCells: 'keep',
      atomic: false,
      customerId: world.acme.id,
      dateOrder: 'auto',
      ...options.targetOptions,
    });
    const keptChanges = before.changes.filter((c) => c.import_id === kept);
    expect(keptChanges.sort((a, b) => String(a.change).localeCompare(String(b.change)))).toEqual([
      expect.objectContaining({ user_id: expect.any(Number), change: 'created', before: null }),
      expect.objectContaining({ user_id: expect.any(Number), change: 'updated', version_after: 2 }),
    ]);
    const report = JSON.parse(before.imports.find((r) => r.id === undone)!.rollback as string);
    expect(report.conflicts[0]).toMatchObject({ userId: r2.id, email: 'r2@acme.example' });
    expect(report.conflicts[0]).not.toHaveProperty('entityId');
    expect(JSON.parse(before.configs[0]!.options as string)).toMatchObject({ sendInvites: true });

    await migrateToLatest(db());
    expect(await rawState()).toEqual(now);

    await admin.token({ method: 'POST', url: `/api/v1/imports/${kept}/rollback` });
    expect((await settled(admin, kept)).rollback).toMatchObject({
      deleted: 1,
      restored: 1,
      conflictCount: 0,
    });
    expect((await client.user('old@acme.example'))!.firstName).toBe('Old');
    expect(await client.user('new@acme.example')).toBeUndefined();
  });
});
