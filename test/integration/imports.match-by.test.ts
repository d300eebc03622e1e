import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, shareEmployeeNumber, type World } from '../support/fixtures.js';
import { type ImportClient, importClient, parseCsv } from '../support/imports.js';

/** `matchBy`: existing users found by username, employee number or Roster id, the Email column renaming them. */
let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
  const seed = await client.upload(
    stringify([
      ['Email', 'Username', 'Employee number', 'Last name'],
      ['ann@acme.example', 'ann', 'E1', 'Ames'],
      ['bob@acme.example', 'bob', 'E2', 'Byrd'],
      ['cy@acme.example', 'cy', 'E3', 'Cole'],
      ['dup1@acme.example', 'dup1', 'E9', 'Dup'],
    ]),
    'seed.csv',
  );
  expect(seed.statusCode, seed.body).toBe(201);
  expect((await client.commit(seed.json().id)).status).toBe('completed');
  // Employee numbers are unique for new and changed users; two may still share one from earlier data.
  const twin = await client.upload(stringify([['Email'], ['dup2@acme.example']]), 'twin.csv');
  expect((await client.commit(twin.json().id)).status).toBe('completed');
  await shareEmployeeNumber(api.db.ctx, (await client.user('dup2@acme.example'))!.id, 'E9');
});
afterAll(() => api.close());

async function staged(rows: string[][], options: object) {
  const res = await client.upload(stringify(rows), 'people.csv', options);
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as number;
  return { id, rows: await client.rows(id) };
}

const user = async (email: string) => (await client.user(email))!;

describe(`finding existing users by another key on ${process.env.ROSTER_TEST_DB}`, () => {
  it('renames by username, and refuses an email another user holds (ignoring case)', async () => {
    const ann = await user('ann@acme.example');
    const bob = await user('bob@acme.example');
    const { id, rows } = await staged(
      [
        ['Username', 'Email', 'Last name'],
        ['ANN', 'ann.ames@acme.example', 'Ames'],
        ['bob', 'CY@acme.example', 'Byrd'],
        ['cy', 'not-an-email', 'Cole'],
      ],
      { mode: 'update', targetOptions: { matchBy: 'username' } },
    );
    expect(rows.map((r) => r.valid)).toEqual([true, false, false]);
    expect(rows[0]!.action).toBe('update');
    expect(rows[1]!.problems).toEqual([
      expect.objectContaining({ code: 'email.taken', column: 'Email', severity: 'error' }),
    ]);
    expect(rows[2]!.problems.map((p) => p.code)).toContain('email.invalid');
    await client.commit(id);
    const renamed = await user('ann.ames@acme.example');
    expect(renamed.id).toBe(ann.id);
    expect(await client.user('ann@acme.example')).toBeUndefined();
    const bobAfter = await user('bob@acme.example');
    expect(bobAfter.version).toBe(bob.version);
  });

  it('renames by the user_id an export carries, and refuses a collision and an unknown id', async () => {
    const res = await admin.token({
      method: 'GET',
      url: `/api/v1/users/export?format=csv&customerId=${world.acme.id}`,
    });
    expect(res.statusCode).toBe(200);
    const lines = parseCsv(res.rawPayload);
    const header = lines[0]!;
    const bob = await user('bob@acme.example');
    const bobLine = lines.find((l) => l[header.indexOf('Email')] === 'bob@acme.example')!;
    expect(bobLine[header.indexOf('user_id')]).toBe(String(bob.id));
    const cy = await user('cy@acme.example');
    const count = await client.userCount();

    const { id, rows } = await staged(
      [
        ['user_id', 'Email'],
        [String(bob.id), 'robert@acme.example'],
        [String(cy.id), 'ann.ames@acme.example'],
        ['999999', 'nobody@acme.example'],
        ['12abc', 'typo@acme.example'],
      ],
      { mode: 'upsert', targetOptions: { matchBy: 'userId' } },
    );
    expect(rows.map((r) => r.valid)).toEqual([true, false, false, false]);
    expect(rows[1]!.problems.map((p) => p.code)).toEqual(['email.taken']);
    expect(rows[2]!.problems.map((p) => p.code)).toEqual(['user.not_found']);
    expect(rows[3]!.problems.map((p) => p.code)).toEqual(['user_id.invalid']);
    await client.commit(id);
    expect((await user('robert@acme.example')).id).toBe(bob.id);
    expect((await user('cy@acme.example')).version).toBe(cy.version);
    expect(await client.userCount()).toBe(count);

    // In mode update an unknown id is skipped, as an unknown email is.
    const skipped = await staged(
      [
        ['user_id', 'Email'],
        ['999999', 'nobody@acme.example'],
      ],
      { mode: 'update', targetOptions: { matchBy: 'userId' } },
    );
    expect(skipped.rows[0]).toMatchObject({ valid: true, action: 'skip' });

    // Two rows naming one user by id would write that user twice: the later is a duplicate.
    const twice = await staged(
      [
        ['user_id', 'Email', 'Last name'],
        [String(cy.id), 'cy@acme.example', 'Cole'],
        [` ${cy.id}`, 'cy@acme.example', 'Coleman'],
      ],
      { mode: 'update', targetOptions: { matchBy: 'userId' } },
    );
    expect(twice.rows.map((r) => r.valid)).toEqual([true, false]);
    expect(twice.rows[1]!.problems).toContainEqual(
      expect.objectContaining({ code: 'row.duplicate', column: 'user_id' }),
    );
  });

  it('finds by employee number, refusing one several users share and a row without one', async () => {
    const cy = await user('cy@acme.example');
    const { id, rows } = await staged(
      [
        ['Employee number', 'Email'],
        ['E3', 'cyrus@acme.example'],
        ['E9', 'dup@acme.example'],
        ['', 'nokey@acme.example'],
      ],
      { mode: 'upsert', targetOptions: { matchBy: 'employeeNumber' } },
    );
    expect(rows.map((r) => r.valid)).toEqual([true, false, false]);
    expect(rows[1]!.problems.map((p) => p.code)).toEqual(['match.ambiguous']);
    // Never a guess: the message names both users.
    expect(rows[1]!.problems[0]!.message).toContain('dup1@acme.example');
    expect(rows[1]!.problems[0]!.message).toContain('dup2@acme.example');
    expect(rows[2]!.problems.map((p) => p.code)).toEqual(['match.key_required']);
    await client.commit(id);
    expect((await user('cyrus@acme.example')).id).toBe(cy.id);
  });

  it('skips or creates an unknown username as the mode says', async () => {
    const update = await staged(
      [
        ['Username', 'Email'],
        ['zed', 'zed@acme.example'],
      ],
      { mode: 'update', targetOptions: { matchBy: 'username' } },
    );
    expect(update.rows[0]).toMatchObject({ valid: true, action: 'skip' });
    const upsert = await staged(
      [
        ['Username', 'Email'],
        ['zed', 'zed@acme.example'],
      ],
      { mode: 'upsert', targetOptions: { matchBy: 'username' } },
    );
    expect(upsert.rows[0]).toMatchObject({ valid: true, action: 'create' });
    await client.commit(upsert.id);
    expect((await user('zed@acme.example')).username).toBe('zed');
  });

  it('needs an Email only to create a user when users are found by another key', async () => {
    // Users are found by username (zed, made by the test before); a file without an Email column updates them.
    const zed = await user('zed@acme.example');
    const noEmail = await staged(
      [
        ['Username', 'Last name'],
        ['zed', 'Zedde'],
      ],
      { mode: 'update', targetOptions: { matchBy: 'username' } },
    );
    const view = await client.view(noEmail.id);
    expect(view.status).toBe('validated');
    expect(view.mapping.missingRequired).toEqual([]);
    expect(noEmail.rows[0]).toMatchObject({ valid: true, action: 'update' });
    await client.commit(noEmail.id);
    expect(await user('zed@acme.example')).toMatchObject({ id: zed.id, lastName: 'Zedde' });

    // An empty Email keeps a found user's email; a row that would create a user needs one.
    const mixed = await staged(
      [
        ['Username', 'Email', 'Last name'],
        ['zed', '', 'Zed'],
        ['newbie', '', 'New'],
      ],
      { mode: 'upsert', targetOptions: { matchBy: 'username' } },
    );
    expect(mixed.rows.map((r) => r.valid)).toEqual([true, false]);
    expect(mixed.rows[1]!.problems).toEqual([
      expect.objectContaining({ code: 'value.required', column: 'Email', severity: 'error' }),
    ]);
    expect(mixed.rows[1]!.problems[0]!.message).toContain('no user has this username');
    const before = await client.userCount();
    await client.commit(mixed.id);
    expect(await user('zed@acme.example')).toMatchObject({ id: zed.id, lastName: 'Zed' });
    expect(await client.userCount()).toBe(before);

    // Found by email (the default), the same file waits for an Email column; choosing another key
    // in the options lets it through, and choosing email again stops it.
    const res = await client.upload(
      stringify([
        ['Username', 'Last name'],
        ['zed', 'Zed'],
      ]),
      'no-email.csv',
      { mode: 'update' },
    );
    const id = res.json().id as number;
    expect((await client.view(id)).status).toBe('mapping_required');
    const set = (targetOptions: object) =>
      admin.token({ method: 'PUT', url: `/api/v1/imports/${id}/options`, payload: { targetOptions } });
    expect((await set({ matchBy: 'username' })).json()).toMatchObject({
      status: 'validated',
      mapping: { missingRequired: [] },
    });
    expect((await set({ matchBy: 'email' })).json()).toMatchObject({
      status: 'mapping_required',
      mapping: { missingRequired: ['email'] },
    });
  });

  it("keeps a scoped admin to its customer's users", async () => {
    const globex = importClient(await api.caller('administrator'), world.globex.id);
    const made = await globex.upload(stringify([['Email'], ['gil@globex.example']]), 'g.csv');
    await globex.commit(made.json().id);
    const gil = (await globex.user('gil@globex.example'))!;
    const scoped = importClient(await api.caller('user_admin', world.acme.id), world.acme.id);
    const res = await scoped.upload(
      stringify([
        ['user_id', 'Email'],
        [String(gil.id), 'taken-over@acme.example'],
      ]),
      'x.csv',
      { mode: 'update', targetOptions: { matchBy: 'userId' } },
    );
    expect(res.statusCode, res.body).toBe(201);
    const rows = await scoped.rows(res.json().id);
    expect(rows[0]!.valid).toBe(false);
    expect(rows[0]!.problems.map((p) => p.code)).toEqual(['user.exists_elsewhere']);
  });
});
