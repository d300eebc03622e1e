import { stringify } from 'csv-stringify/sync';
import type { Generated, Kysely, Selectable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TargetBinding } from '../../src/app/imports/registry.js';
import { undoAtVersion } from '../../src/core/import/restore.js';
import type { CheckedRow, ImportTarget, RowResult } from '../../src/core/import/target.js';
import { problem } from '../../src/core/import/validate.js';
import type { Database } from '../../src/storage/schema.js';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { importClient, parseCsv } from '../support/imports.js';
import { multipart } from '../support/upload.js';

/**
 * A target that lives only in this file: its own fields, key, options, storage table, restore point
 * and undo, registered on the running service and driven through the HTTP API like any other, from
 * upload to rollback. Nothing of the engine, the routes or the console knows it.
 */

interface ThingTable {
  id: Generated<number>;
  code: string;
  name: string;
  colour: string;
  version: number;
}
type ThingsDb = Kysely<Database & { test_things: ThingTable }>;
type Thing = Selectable<ThingTable>;

interface ThingsEnv {
  db: ThingsDb;
  /** Colours an option may no longer name: read from "the directory" by the options' check. */
  retired: readonly string[];
}

const COLOURS = ['red', 'green', 'blue', 'black'] as const;
const thingOptions = z
  .object({
    capitals: z.boolean().default(false).meta({ title: 'Write names in capitals' }),
    colour: z
      .enum(COLOURS)
      .default('green')
      .meta({
        title: 'Colour of rows without one',
        labels: { red: 'Red', green: 'Green', blue: 'Blue', black: 'Black' },
      }),
  })
  .strict();
type ThingOptions = z.output<typeof thingOptions>;

const thingsTarget: ImportTarget<ThingsEnv, ThingOptions, Thing> = {
  name: 'test-things',
  label: 'Things',
  description: 'Things of a test, by code.',
  modes: ['insert', 'update', 'upsert'],
  keyField: 'code',
  fields: () => [
    {
      key: 'code',
      column: 'Code',
      label: 'Code',
      type: 'text',
      required: true,
      uniqueInFile: true,
      description: 'Key.',
    },
    {
      key: 'name',
      column: 'Name',
      label: 'Name',
      type: 'text',
      required: true,
      description: 'Not "forbidden".',
    },
    {
      key: 'colour',
      column: 'Colour',
      label: 'Colour',
      type: 'enum',
      required: false,
      allowed: COLOURS,
      description: 'A colour.',
    },
  ],
  options: {
    schema: thingOptions,
    async check(options, env) {
      return env.retired.includes(options.colour)
        ? [{ path: ['colour'], message: `The colour ${options.colour} is retired.` }]
        : [];
    },
  },

  async check(rows, env, options) {
    const codes = rows.map((r) => String(r.values.code));
    const found = await env.db
      .selectFrom('test_things')
      .select(['id', 'code'])
      .where('code', 'in', codes)
      .execute();
    const ids = new Map(found.map((t) => [t.code, t.id]));
    return rows.map((row): CheckedRow => {
      if (row.values.name === 'forbidden') {
        const p = problem(
          row.row,
          row.columns.name ?? null,
          'forbidden',
          'thing.name_forbidden',
          'Choose another name.',
          'cell',
        );
        return { problems: [p], action: null };
      }
      const id = ids.get(String(row.values.code));
      if (id === undefined)
        return options.mode === 'update'
          ? { problems: [], action: 'skip', skipReason: 'No such thing.' }
          : { problems: [], action: 'create' };
      return options.mode === 'insert'
        ? { problems: [], action: 'skip', skipReason: 'Exists.' }
        : { problems: [], action: 'update', existingId: id };
    });
  },

  async commit(rows, env, options) {
    const results: RowResult<Thing>[] = [];
    for (const row of rows) {
      const raw = String(row.values.name);
      const name = options.capitals ? raw.toUpperCase() : raw;
      const colour =
        row.values.colour === null || row.values.colour === undefined
          ? options.colour
          : String(row.values.colour);
      if (row.action === 'create') {
        const { id } = await env.db
          .insertInto('test_things')
          .values({ code: String(row.values.code), name, colour, version: 1 })
          .returning('id')
          .executeTakeFirstOrThrow();
        results.push({
          row: row.row,
          action: 'created',
          entityId: id,
          message: null,
          restore: { change: 'created', before: null, versionAfter: 1 },
        });
      } else {
        const before = await env.db
          .selectFrom('test_things')
          .selectAll()
          .where('id', '=', row.existingId!)
          .executeTakeFirstOrThrow();
        await env.db
          .updateTable('test_things')
          .set({ name, colour, version: before.version + 1 })
          .where('id', '=', before.id)
          .execute();
        results.push({
          row: row.row,
          action: 'updated',
          entityId: before.id,
          message: null,
          restore: { change: 'updated', before, versionAfter: before.version + 1 },
        });
      }
    }
    return results;
  },

  restorePoint: {
    entityType: 'test-thing',
    undo: (changes, env) =>
      undoAtVersion(
        changes,
        {
          async versions(ids) {
            const rows = await env.db
              .selectFrom('test_things')
              .select(['id', 'version', 'code'])
              .where('id', 'in', [...ids])
              .execute();
            return new Map(rows.map((r) => [r.id, { version: r.version, label: r.code }]));
          },
          async remove(ids) {
            await env.db
              .deleteFrom('test_things')
              .where('id', 'in', [...ids])
              .execute();
          },
          async restore(befores) {
            for (const { id, version, ...values } of befores) {
              await env.db
                .updateTable('test_things')
                .set({ ...values, version: version + 2 })
                .where('id', '=', id)
                .execute();
            }
          },
        },
        'thing',
      ),
  },
};

const binding: TargetBinding<ThingsEnv> = {
  target: thingsTarget,
  env: async (db) => ({ db: db.withTables<{ test_things: ThingTable }>(), retired: ['black'] }),
};

let api: TestApi;
let admin: Caller;
let things: ThingsDb;

beforeAll(async () => {
  api = await startApi();
  api.db.ctx.targets.register(binding);
  things = api.db.ctx.db.withTables<{ test_things: ThingTable }>();
  const id = api.db.dialect === 'postgres' ? 'serial' : 'integer';
  await things.schema
    .createTable('test_things')
    .addColumn('id', id, (c) =>
      api.db.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('colour', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await things
    .insertInto('test_things')
    .values([
      { code: 'A-1', name: 'Alpha', colour: 'red', version: 1 },
      { code: 'A-2', name: 'Beta', colour: 'blue', version: 1 },
    ])
    .execute();
  admin = await api.caller('administrator');
});
afterAll(() => api.close());

const thing = (code: string) =>
  things.selectFrom('test_things').selectAll().where('code', '=', code).executeTakeFirst();

function upload(content: string, options: object) {
  const body = multipart(
    { target: 'test-things', options: JSON.stringify(options) },
    { name: 'things.csv', content },
  );
  return admin.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
}
const importCount = async () =>
  (await admin.token({ method: 'GET', url: '/api/v1/imports' })).json().items.length;

describe(`a target declared in a test, on ${process.env.ROSTER_TEST_DB}`, () => {
  it('lists its options as JSON Schema in GET /import-targets and in the OpenAPI document', async () => {
    const targets = (await admin.token({ method: 'GET', url: '/api/v1/import-targets' })).json();
    const mine = targets.find((t: { name: string }) => t.name === 'test-things');
    expect(mine).toMatchObject({
      label: 'Things',
      keyField: 'code',
      modes: ['insert', 'update', 'upsert'],
      customAttributes: false,
    });
    // The console offers "Create attribute" only where the target takes attributes.
    const takes = Object.fromEntries(
      targets.map((t: { name: string; customAttributes: boolean }) => [t.name, t.customAttributes]),
    );
    expect(takes).toMatchObject({ users: true, 'contact-users': false });
    expect(mine.fields.map((f: { key: string }) => f.key)).toEqual(['code', 'name', 'colour']);
    expect(mine.options.properties).toEqual({
      capitals: { type: 'boolean', default: false, title: 'Write names in capitals' },
      colour: {
        type: 'string',
        enum: ['red', 'green', 'blue', 'black'],
        default: 'green',
        title: 'Colour of rows without one',
        labels: { red: 'Red', green: 'Green', blue: 'Blue', black: 'Black' },
      },
    });
    const doc = (await api.request({ method: 'GET', url: '/api/openapi.json' })).json();
    const documented = doc.components.schemas['TargetOptions.test-things'];
    expect(documented.properties.colour).toMatchObject({
      enum: ['red', 'green', 'blue', 'black'],
      default: 'green',
      'x-labels': { red: 'Red', green: 'Green', blue: 'Blue', black: 'Black' },
    });
    expect(documented.properties.colour).not.toHaveProperty('labels');
    expect(documented.properties.capitals).toMatchObject({ type: 'boolean', default: false });
    // The users target's are there too, beside it.
    expect(doc.components.schemas['TargetOptions.users'].properties).toHaveProperty('sendInvites');
  });

  it('is registered once, and never with an option named like a general one', () => {
    expect(() => api.db.ctx.targets.register(binding)).toThrow(
      'An import target named "test-things" is registered already.',
    );
    const clashing: ImportTarget<ThingsEnv> = {
      ...binding.target,
      name: 'test-clash',
      options: { schema: z.object({ mode: z.string().default('x') }) },
    };
    expect(() => api.db.ctx.targets.register({ ...binding, target: clashing })).toThrow(
      'The test-clash target has an option named like a general one: mode.',
    );
    expect(api.db.ctx.targets.names()).toEqual([
      'users',
      'contact-users',
      'customers',
      'appointments',
      'tasks',
      'reports',
      'test-things',
    ]);
  });

  it('refuses bad options with the field named, and changes nothing', async () => {
    const before = await importCount();
    const file = stringify([
      ['Code', 'Name'],
      ['Z-1', 'Zed'],
    ]);
    const wrongValue = await upload(file, { targetOptions: { colour: 'purple' } });
    expect(wrongValue.statusCode).toBe(400);
    expect(wrongValue.json()).toMatchObject({
      code: 'request.invalid',
      details: { problems: [{ field: 'options.targetOptions.colour', code: 'import.option_invalid' }] },
    });
    expect(wrongValue.json().message).toMatch(/^options\.targetOptions\.colour: /);

    const unknown = await upload(file, { targetOptions: { sendInvites: true } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toBe(
      'options.targetOptions.sendInvites: the test-things target has no such option. Its options: capitals, colour.',
    );

    const retired = await upload(file, { targetOptions: { colour: 'black' } });
    expect(retired.statusCode).toBe(400);
    expect(retired.json()).toMatchObject({
      message: 'options.targetOptions.colour: The colour black is retired.',
      details: {
        problems: [{ field: 'options.targetOptions.colour', message: 'The colour black is retired.' }],
      },
    });

    const config = await admin.token({
      method: 'POST',
      url: '/api/v1/import-configs',
      payload: {
        name: 'Things',
        target: 'test-things',
        mapping: {},
        options: { targetOptions: { capitals: 'yes' } },
      },
    });
    expect(config.statusCode).toBe(400);
    expect(config.json().details.problems[0].field).toBe('options.targetOptions.capitals');
    expect(await importCount()).toBe(before);
    expect((await admin.token({ method: 'GET', url: '/api/v1/import-configs' })).json()).toEqual([]);
    expect(await thing('Z-1')).toBeUndefined();
  });

  it('runs upload, map, options, review with a fix, commit, result files and rollback, leaving alone what changed since', async () => {
    const client = importClient(admin, 0);
    const file = stringify([
      ['Code', 'Thing name', 'Colour'],
      ['A-1', 'Alpha two', 'blue'],
      ['N-1', 'New one', ''],
      ['N-2', 'forbidden', 'red'],
      ['N-3', 'New three', 'red'],
      ['', 'No code', ''],
    ]);
    const created = await upload(file, { mode: 'upsert' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    // "Thing name" is no header or synonym of a field: the required name is unmapped.
    expect(created.json()).toMatchObject({
      status: 'mapping_required',
      options: { targetOptions: { capitals: false, colour: 'green' } },
    });

    const mapped = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/mapping`,
      payload: { columns: ['code', 'name', 'colour'] },
    });
    expect(mapped.json()).toMatchObject({ status: 'validated', rows: { total: 5, valid: 3, invalid: 2 } });

    const refused = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/options`,
      payload: { targetOptions: { colour: 'black' } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details.problems[0].field).toBe('options.targetOptions.colour');
    expect((await client.view(id)).options.targetOptions).toEqual({ capitals: false, colour: 'green' });
    const chosen = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/options`,
      payload: { targetOptions: { capitals: true } },
    });
    expect(chosen.statusCode).toBe(200);
    // Laid over the current ones: the colour keeps its default.
    expect(chosen.json().options).toMatchObject({
      mode: 'upsert',
      targetOptions: { capitals: true, colour: 'green' },
    });
    const again = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/options`,
      payload: { targetOptions: { colour: 'red' } },
    });
    expect(again.json().options.targetOptions).toEqual({ capitals: true, colour: 'red' });
    expect(again.json().planned).toEqual({ update: 1, create: 2 });

    const invalid = await client.rows(id, '&filter=invalid');
    expect(invalid.map((r) => r.problems[0]!.code)).toEqual(['thing.name_forbidden', 'value.required']);
    const fixed = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${id}/rows/${invalid[0]!.row}`,
      payload: { cells: { 'Thing name': 'Fixed two' } },
    });
    expect(fixed.json().rows[0]).toMatchObject({ valid: true, action: 'create' });

    const done = await client.commit(id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ created: 3, updated: 1, failed: 1 });
    expect(await thing('A-1')).toMatchObject({ name: 'ALPHA TWO', colour: 'blue', version: 2 });
    expect(await thing('N-1')).toMatchObject({ name: 'NEW ONE', colour: 'red', version: 1 });
    expect(await thing('N-2')).toMatchObject({ name: 'FIXED TWO', colour: 'red' });

    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    expect(success.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ['A-1', 'Alpha two', 'blue'],
      ['N-1', 'New one', ''],
      ['N-2', 'Fixed two', 'red'],
      ['N-3', 'New three', 'red'],
    ]);
    const failure = parseCsv(await client.download(`/api/v1/imports/${id}/files/failure?format=csv`));
    expect(failure[0]).toEqual(['Code', 'Thing name', 'Colour', 'row', 'error']);
    expect(failure.slice(1).map((r) => r.slice(0, 3))).toEqual([['', 'No code', '']]);

    // Someone changes a thing the import created: the rollback must leave it alone and say so.
    const n1 = (await thing('N-1'))!;
    await things
      .updateTable('test_things')
      .set({ name: 'Edited later', version: n1.version + 1 })
      .where('id', '=', n1.id)
      .execute();

    const rb = await admin.token({ method: 'POST', url: `/api/v1/imports/${id}/rollback` });
    expect(rb.statusCode).toBe(202);
    const after = await settled(admin, id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({
      deleted: 2,
      restored: 1,
      conflictCount: 1,
      conflicts: [
        {
          entityType: 'test-thing',
          entityId: n1.id,
          label: 'N-1',
          reason: 'The thing was changed after the import; left as it is now.',
        },
      ],
    });
    expect(await thing('A-1')).toMatchObject({ name: 'Alpha', colour: 'red' });
    expect(await thing('A-2')).toMatchObject({ name: 'Beta', version: 1 });
    expect(await thing('N-1')).toMatchObject({ name: 'Edited later' });
    expect(await thing('N-2')).toBeUndefined();
    expect(await thing('N-3')).toBeUndefined();
  });
});
