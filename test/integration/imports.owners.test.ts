import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, settled, startApi, type TestApi } from '../support/api.js';
import { buildWorld, shareEmployeeNumber, type World } from '../support/fixtures.js';
import { importClient, parseCsv } from '../support/imports.js';
import { multipart } from '../support/upload.js';

/**
 * Record imports owner by owner, through the API: the owners found (by email or employee number),
 * the values that matched nobody, include/exclude, commit of one owner, skip, commit of all the
 * others, the status `partly_committed` and what it refuses, the limits at upload, and the rollback
 * of one owner and of everybody.
 */

let api: TestApi;
let admin: Caller;
let world: World;
const users: Record<string, number> = {};

interface Owners {
  owners: {
    userId: number;
    name: string;
    email: string;
    employeeNumber: string | null;
    rows: number;
    valid: number;
    invalid: number;
    firstRow: number;
    included: boolean;
    state: string;
    result: Record<string, number> | null;
  }[];
  unmatched: { value: string; rows: number; firstRow: number; hint: string }[];
  unmatchedRows: number;
  limits: { maxOwners: number; maxRows: number };
}

async function createUser(body: object): Promise<number> {
  const res = await admin.token({ method: 'POST', url: '/api/v1/users', payload: body });
  if (res.statusCode !== 201) throw new Error(`user: ${res.body}`);
  return res.json().id as number;
}

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  const acme = world.acme.id;
  const people: [string, string, string, number][] = [
    ['amy', 'Amy', '00123', acme],
    ['ben', 'Ben', 'E-7', acme],
    ['col', 'Col', '0042', acme],
    ['dot', 'Dot', '0042', acme],
    ['eve', 'Eve', 'X-5', acme],
    ['gil', 'Gil', '555', world.globex.id],
  ];
  for (const [key, first, number, customerId] of people) {
    // Numbers are unique for new and changed users; Dot shares Col's from earlier data.
    const shared = key === 'dot';
    users[key] = await createUser({
      email: `${key}@owners.example`,
      firstName: first,
      lastName: 'Owner',
      customerId,
      ...(!shared && { employeeNumber: number }),
    });
    if (shared) await shareEmployeeNumber(api.db.ctx, users[key]!, number);
  }
});
afterAll(() => api.close());

function upload(caller: Caller, target: string, rows: string[][], options: object = {}) {
  const body = multipart(
    { target, options: JSON.stringify(options) },
    { name: `${target}.csv`, content: stringify(rows) },
  );
  return caller.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
}

async function uploaded(caller: Caller, target: string, rows: string[][], options: object = {}) {
  const res = await upload(caller, target, rows, options);
  if (res.statusCode !== 201) throw new Error(`upload: ${res.body}`);
  return res.json() as { id: number; status: string; owners: Record<string, unknown> | null };
}

const ownersOf = async (caller: Caller, id: number): Promise<Owners> => {
  const res = await caller.token({ method: 'GET', url: `/api/v1/imports/${id}/owners` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

const post = (url: string, payload?: object) =>
  admin.token({ method: 'POST', url, ...(payload !== undefined && { payload }) });

const records = async (query: string) => {
  const res = await admin.token({ method: 'GET', url: `/api/v1/records?limit=500&${query}` });
  expect(res.statusCode).toBe(200);
  return res.json().items as { id: number; key: string; title: string; owner: { id: number } }[];
};

const HEADER = ['Owner', 'Customer number', 'Name'];

describe(`record imports owner by owner on ${process.env.ROSTER_TEST_DB}`, () => {
  it('declares the grouping in the target metadata, and none for users', async () => {
    const customers = (await admin.token({ method: 'GET', url: '/api/v1/import-targets/customers' })).json();
    expect(customers.groupedBy).toEqual({ field: 'owner', noun: 'user' });
    const usersTarget = (await admin.token({ method: 'GET', url: '/api/v1/import-targets/users' })).json();
    expect(usersTarget.groupedBy).toBeNull();
  });

  it('lists owners named by employee number (leading zeros, case, spaces) in file order, and the values that matched nobody with a hint', async () => {
    const { id } = await uploaded(
      admin,
      'customers',
      [
        ['Employee number', 'Customer number', 'Name'],
        [' e-7 ', 'B1', 'Ben one'],
        ['00123', 'A1', 'Amy one'],
        ['123', 'A2', 'Not Amy: the zeros count'],
        ['E-7', 'B2', ''],
        ['0042', 'C1', 'Col or Dot?'],
        ['00123', 'A3', 'Amy three'],
        ['555', 'G1', "Another customer's user"],
      ],
      { customerId: world.acme.id, targetOptions: { ownerBy: 'employeeNumber' } },
    );
    const body = await ownersOf(admin, id);
    expect(
      body.owners.map((o) => [o.email, o.employeeNumber, o.rows, o.valid, o.invalid, o.firstRow]),
    ).toEqual([
      ['ben@owners.example', 'E-7', 2, 1, 1, 2],
      ['amy@owners.example', '00123', 2, 2, 0, 3],
    ]);
    expect(body.owners[0]).toMatchObject({
      name: 'Ben Owner',
      included: true,
      state: 'pending',
      result: null,
    });
    expect(body.unmatched.map((u) => [u.value, u.rows, u.firstRow])).toEqual([
      ['123', 1, 4],
      ['0042', 1, 6],
      ['555', 1, 8],
    ]);
    expect(body.unmatched[0]!.hint).toContain("employee number as in the user's record");
    // An ambiguous number is not "unknown": the hint says several users have it and how to tell them apart.
    expect(body.unmatched[1]!.hint).toContain('Several users have this employee number');
    expect(body.unmatched[1]!.hint).toContain('by email');
    expect(body.unmatched[1]!.hint).not.toContain('No user has');
    expect(body.unmatchedRows).toBe(3);
    expect(body.limits).toEqual({ maxOwners: 100, maxRows: 100_000 });
    // The ambiguous number is an error naming both users, never a guess.
    const rows = await importClient(admin, world.acme.id).rows(id, `&filter=invalid`);
    const ambiguous = rows.find((r) => r.row === 6)!;
    expect(ambiguous.owner).toBeNull();
    expect(ambiguous.problems[0]).toMatchObject({ code: 'owner.ambiguous' });
    expect(ambiguous.problems[0]!.message).toContain('col@owners.example');
    expect(ambiguous.problems[0]!.message).toContain('dot@owners.example');

    // One owner's rows, combinable with the filters.
    const amy = await admin.token({ method: 'GET', url: `/api/v1/imports/${id}/rows?owner=${users.amy}` });
    expect(amy.json().items.map((r: { row: number; owner: number }) => [r.row, r.owner])).toEqual([
      [3, users.amy],
      [7, users.amy],
    ]);
    expect(amy.json().total).toBe(2);
    const bensInvalid = await admin.token({
      method: 'GET',
      url: `/api/v1/imports/${id}/rows?owner=${users.ben}&filter=invalid`,
    });
    expect(bensInvalid.json().items.map((r: { row: number }) => r.row)).toEqual([5]);

    const view = (await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json();
    expect(view.owners).toEqual({
      total: 2,
      included: 2,
      pending: 2,
      imported: 0,
      skipped: 0,
      failed: 0,
      rolledBack: 0,
      unmatchedRows: 3,
      current: users.ben,
    });
  });

  it('matches owners by email ignoring case and spaces; an unknown email gets a spelling hint', async () => {
    const { id } = await uploaded(admin, 'customers', [
      HEADER,
      [' AMY@owners.example', 'A1', 'Amy'],
      ['amy@owners.exmaple', 'A2', 'Typo'],
    ]);
    const body = await ownersOf(admin, id);
    expect(body.owners.map((o) => o.userId)).toEqual([users.amy]);
    expect(body.unmatched).toEqual([
      expect.objectContaining({ value: 'amy@owners.exmaple', rows: 1, firstRow: 3 }),
    ]);
    expect(body.unmatched[0]!.hint).toContain('spelling');
  });

  it("does not let a scoped admin assign rows to another customer's user", async () => {
    const scoped = await api.caller('user_admin', world.acme.id);
    const { id } = await uploaded(scoped, 'customers', [
      HEADER,
      ['amy@owners.example', 'S1', 'Mine to assign'],
      ['gil@owners.example', 'S2', 'Not mine'],
    ]);
    const body = await ownersOf(scoped, id);
    expect(body.owners.map((o) => o.userId)).toEqual([users.amy]);
    expect(body.unmatched.map((u) => u.value)).toEqual(['gil@owners.example']);
  });

  it('says when no row matches any user, and refuses to commit it', async () => {
    const { id } = await uploaded(admin, 'customers', [HEADER, ['nobody@owners.example', 'N1', 'Nobody']]);
    expect((await ownersOf(admin, id)).owners).toEqual([]);
    const res = await post(`/api/v1/imports/${id}/commit`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('import.no_owner_matched');
    expect((await settled(admin, id)).status).toBe('validated');
  });

  it('refuses a file over the owner limit or the row limit at upload, naming roster import --split, and keeps nothing', async () => {
    const before = (await admin.token({ method: 'GET', url: '/api/v1/imports?limit=200' })).json().items
      .length;
    const patch = (payload: object) => admin.token({ method: 'PATCH', url: '/api/v1/settings', payload });
    expect((await patch({ importMaxOwners: 2 })).statusCode).toBe(200);
    try {
      const three = [
        HEADER,
        ['amy@owners.example', 'L1', 'a'],
        ['ben@owners.example', 'L2', 'b'],
        ['eve@owners.example', 'L3', 'c'],
      ];
      const over = await upload(admin, 'customers', three);
      expect(over.statusCode).toBe(422);
      expect(over.json().code).toBe('import.too_many_owners');
      expect(over.json().message).toContain('roster import FILE --split');
      expect(over.json().details).toMatchObject({ limit: 2, actual: 3 });
      // Two owners, even over many rows, are within it.
      const two = await upload(admin, 'customers', three.slice(0, 3));
      expect(two.statusCode).toBe(201);
    } finally {
      await patch({ importMaxOwners: 100 });
    }
    expect((await patch({ importMaxRows: 2 })).statusCode).toBe(200);
    try {
      const res = await upload(admin, 'customers', [
        HEADER,
        ['amy@owners.example', 'R1', 'a'],
        ['amy@owners.example', 'R2', 'b'],
        ['amy@owners.example', 'R3', 'c'],
      ]);
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('import.too_many_rows');
      expect(res.json().message).toContain('roster import FILE --split');
    } finally {
      await patch({ importMaxRows: 100_000 });
    }
    const after = (await admin.token({ method: 'GET', url: '/api/v1/imports?limit=200' })).json().items
      .length;
    expect(after).toBe(before + 1);
  });

  it('excludes, imports one owner, skips one, refuses mapping changes once partly committed, imports all the others, then rolls back one owner and everybody, leaving an edited record alone', async () => {
    const client = importClient(admin, world.acme.id);
    const { id } = await uploaded(admin, 'customers', [
      HEADER,
      ['amy@owners.example', 'P1', 'Amy one'],
      ['ben@owners.example', 'P1', 'Ben one'],
      ['eve@owners.example', 'P1', 'Eve one'],
      ['amy@owners.example', 'P2', 'Amy two'],
      ['col@owners.example', 'P1', 'Col one'],
      ['dot@owners.example', 'P1', 'Dot one'],
      ['ben@owners.example', 'P2', ''],
    ]);
    // Exclude Dot; an unknown user id is a field error, and nothing changes.
    const unknown = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/owners`,
      payload: { excluded: [users.dot, 999_999] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details.problems[0].field).toBe('excluded.1');
    expect((await ownersOf(admin, id)).owners.every((o) => o.included)).toBe(true);
    const excluded = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/owners`,
      payload: { excluded: [users.dot] },
    });
    expect(excluded.statusCode, excluded.body).toBe(200);
    expect((excluded.json() as Owners).owners.map((o) => [o.email, o.included])).toEqual([
      ['amy@owners.example', true],
      ['ben@owners.example', true],
      ['eve@owners.example', true],
      ['col@owners.example', true],
      ['dot@owners.example', false],
    ]);

    // Import one owner: Amy.
    const one = await post(`/api/v1/imports/${id}/commit`, { owners: [users.amy] });
    expect(one.statusCode, one.body).toBe(202);
    let view = await settled(admin, id);
    expect(view.status).toBe('partly_committed');
    expect(view.owners).toMatchObject({ imported: 1, pending: 4, current: users.ben });
    expect((await records(`type=customers&ownerUserId=${users.amy}`)).map((r) => r.key)).toEqual([
      'P1',
      'P2',
    ]);
    expect(await records(`type=customers&ownerUserId=${users.ben}`)).toEqual([]);
    let owners = await ownersOf(admin, id);
    expect(owners.owners[0]).toMatchObject({
      state: 'imported',
      result: { created: 2, updated: 0, unchanged: 0, skipped: 0, failed: 0 },
    });

    // Partly committed: no mapping or option change, and Amy cannot be committed, skipped or excluded again.
    const mapping = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/mapping`,
      payload: { columns: ['owner', 'customerNumber', null] },
    });
    expect(mapping.statusCode).toBe(409);
    expect(mapping.json().code).toBe('import.partly_committed');
    const options = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/options`,
      payload: { mode: 'insert' },
    });
    expect(options.json().code).toBe('import.partly_committed');
    const again = await post(`/api/v1/imports/${id}/commit`, { owners: [users.amy] });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('import.owner_not_pending');
    const excludeAmy = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/owners`,
      payload: { excluded: [users.amy, users.dot] },
    });
    expect(excludeAmy.json().code).toBe('import.owner_not_pending');
    expect((await settled(admin, id)).status).toBe('partly_committed');

    // Skip Ben; then a fix of one of Col's rows is still allowed.
    const skip = await post(`/api/v1/imports/${id}/owners/skip`, { owners: [users.ben] });
    expect(skip.statusCode, skip.body).toBe(200);
    expect(skip.json()).toMatchObject({
      status: 'partly_committed',
      owners: { skipped: 1, current: users.eve },
    });
    const fix = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${id}/rows/6`,
      payload: { cells: { Name: 'Col fixed' } },
    });
    expect(fix.statusCode, fix.body).toBe(200);

    // Import all users: Eve and Col (Dot is excluded), one job, owner after owner.
    const all = await post(`/api/v1/imports/${id}/commit`);
    expect(all.statusCode, all.body).toBe(202);
    view = await settled(admin, id);
    expect(view.status).toBe('completed');
    expect(view.progress.owners).toMatchObject({ done: 2, total: 2, current: null });
    expect(view.owners).toMatchObject({ imported: 3, skipped: 1, pending: 1, included: 4 });
    expect(view.counts).toMatchObject({ created: 4 });
    expect(await records(`type=customers&ownerUserId=${users.ben}`)).toEqual([]);
    expect(await records(`type=customers&ownerUserId=${users.dot}`)).toEqual([]);
    expect((await records(`type=customers&ownerUserId=${users.col}`)).map((r) => r.title)).toEqual([
      'Col fixed',
    ]);
    owners = await ownersOf(admin, id);
    expect(owners.owners.map((o) => [o.email, o.state])).toEqual([
      ['amy@owners.example', 'imported'],
      ['ben@owners.example', 'skipped'],
      ['eve@owners.example', 'imported'],
      ['col@owners.example', 'imported'],
      ['dot@owners.example', 'pending'],
    ]);
    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    const ownerAt = success[0]!.indexOf('owner');
    expect(success.slice(1).map((r) => r[ownerAt])).toEqual([
      'amy@owners.example',
      'eve@owners.example',
      'amy@owners.example',
      'col@owners.example',
    ]);

    // Only owners whose rows were imported can be rolled back.
    const notImported = await post(`/api/v1/imports/${id}/rollback`, { owners: [users.ben] });
    expect(notImported.statusCode).toBe(409);
    expect(notImported.json().code).toBe('import.owner_not_committed');

    // Amy's P1 is edited after the import: rolling back Amy leaves it and says so; Eve's and Col's stay.
    const amys = (await records(`type=customers&ownerUserId=${users.amy}`)).find((r) => r.key === 'P1')!;
    const edited = await admin.token({
      method: 'PATCH',
      url: `/api/v1/records/${amys.id}`,
      payload: { fields: { name: 'Amy renamed' } },
    });
    expect(edited.statusCode).toBe(200);
    const rollAmy = await post(`/api/v1/imports/${id}/rollback`, { owners: [users.amy] });
    expect(rollAmy.statusCode, rollAmy.body).toBe(202);
    view = await settled(admin, id);
    expect(view.status).toBe('completed');
    expect(view.rollback).toMatchObject({
      deleted: 1,
      restored: 0,
      conflictCount: 1,
      conflicts: [
        { entityId: amys.id, reason: 'The record was changed after the import; left as it is now.' },
      ],
      owners: [users.amy],
    });
    expect((await records(`type=customers&ownerUserId=${users.amy}`)).map((r) => r.title)).toEqual([
      'Amy renamed',
    ]);
    expect(await records(`type=customers&ownerUserId=${users.eve}`)).toHaveLength(1);
    expect(await records(`type=customers&ownerUserId=${users.col}`)).toHaveLength(1);
    owners = await ownersOf(admin, id);
    expect(owners.owners.find((o) => o.userId === users.amy)!.state).toBe('rolled_back');
    // The rollback of Amy read only Amy's changes: Eve's and Col's are still to be undone.
    const left = await api.db.ctx.db
      .selectFrom('import_changes')
      .select(['owner_id', 'reverted'])
      .where('import_id', '=', id)
      .orderBy('owner_id')
      .execute();
    expect(
      left
        .filter((c) => c.reverted === 0)
        .map((c) => c.owner_id)
        .sort(),
    ).toEqual([users.eve!, users.col!].sort());

    // Everybody: the rest goes.
    const rollAll = await post(`/api/v1/imports/${id}/rollback`);
    expect(rollAll.statusCode, rollAll.body).toBe(202);
    view = await settled(admin, id);
    expect(view.status).toBe('rolled_back');
    expect(view.rollback).toMatchObject({ deleted: 2, conflictCount: 0 });
    expect(await records(`type=customers&ownerUserId=${users.eve}`)).toEqual([]);
    expect(await records(`type=customers&ownerUserId=${users.col}`)).toEqual([]);
    expect((await records(`type=customers&ownerUserId=${users.amy}`)).map((r) => r.title)).toEqual([
      'Amy renamed',
    ]);
    owners = await ownersOf(admin, id);
    expect(owners.owners.map((o) => o.state)).toEqual([
      'rolled_back',
      'skipped',
      'rolled_back',
      'rolled_back',
      'pending',
    ]);
  });

  it('completes an import once its last pending owner is skipped', async () => {
    const { id } = await uploaded(admin, 'customers', [
      HEADER,
      ['amy@owners.example', 'K1', 'Amy'],
      ['ben@owners.example', 'K1', 'Ben'],
    ]);
    const first = await post(`/api/v1/imports/${id}/owners/skip`, { owners: [users.amy] });
    expect(first.json()).toMatchObject({ status: 'partly_committed' });
    const bad = await post(`/api/v1/imports/${id}/owners/skip`, { owners: [users.eve] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.problems[0].field).toBe('owners.0');
    const last = await post(`/api/v1/imports/${id}/owners/skip`, { owners: [users.ben] });
    expect(last.json()).toMatchObject({
      status: 'completed',
      owners: { skipped: 2, pending: 0, current: null },
    });
    expect(await records(`type=customers&ownerUserId=${users.amy}`)).not.toContainEqual(
      expect.objectContaining({ key: 'K1' }),
    );
  });

  it("refers appointments to customers of the same owner only: another owner's customer is refused", async () => {
    await uploaded(admin, 'customers', [HEADER, ['eve@owners.example', 'EC1', 'Eve customer']]).then((u) =>
      post(`/api/v1/imports/${u.id}/commit`).then(() => settled(admin, u.id)),
    );
    const { id } = await uploaded(admin, 'appointments', [
      ['Owner', 'External ID', 'Subject', 'Start', 'End', 'Customer number'],
      ['eve@owners.example', 'AP1', 'Visit', '2026-01-05 10:00', '2026-01-05 11:00', 'EC1'],
      ['col@owners.example', 'AP2', 'Visit', '2026-01-05 10:00', '2026-01-05 11:00', 'EC1'],
    ]);
    const body = await ownersOf(admin, id);
    expect(body.owners.map((o) => [o.email, o.valid, o.invalid])).toEqual([
      ['eve@owners.example', 1, 0],
      ['col@owners.example', 0, 1],
    ]);
    const view = await post(`/api/v1/imports/${id}/commit`).then(() => settled(admin, id));
    expect(view.status).toBe('completed');
    expect(view.counts).toMatchObject({ created: 1, failed: 1 });
  });

  it("keeps each owner's counts as rows are fixed: the view and the owners page follow a fix of the owner cell", async () => {
    const { id } = await uploaded(admin, 'customers', [
      HEADER,
      ['amy@owners.example', 'F1', 'Amy one'],
      ['nobody@owners.example', 'F2', 'Nobody'],
      ['ben@owners.example', 'F3', ''],
    ]);
    let view = (await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json();
    expect(view.owners).toMatchObject({ total: 2, unmatchedRows: 1, current: users.amy });
    // The unmatched row now names Amy; Ben's row gets its name and becomes valid.
    const moved = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${id}/rows/3`,
      payload: { cells: { Owner: 'amy@owners.example' } },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const named = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${id}/rows/4`,
      payload: { cells: { Name: 'Ben three' } },
    });
    expect(named.statusCode, named.body).toBe(200);
    view = (await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json();
    expect(view.owners).toMatchObject({ total: 2, included: 2, pending: 2, unmatchedRows: 0 });
    let body = await ownersOf(admin, id);
    expect(body.owners.map((o) => [o.email, o.rows, o.valid, o.invalid, o.firstRow])).toEqual([
      ['amy@owners.example', 2, 2, 0, 2],
      ['ben@owners.example', 1, 1, 0, 4],
    ]);
    expect(body.unmatchedRows).toBe(0);
    // Ben's only row moves to nobody: Ben is no longer listed, the row is unmatched again.
    await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${id}/rows/4`,
      payload: { cells: { Owner: 'nobody@owners.example' } },
    });
    body = await ownersOf(admin, id);
    expect(body.owners.map((o) => [o.email, o.rows])).toEqual([['amy@owners.example', 2]]);
    expect(body.unmatchedRows).toBe(1);
    view = (await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json();
    expect(view.owners).toMatchObject({ total: 1, pending: 1, unmatchedRows: 1, current: users.amy });
  });

  it('refuses to commit an excluded owner named explicitly, and changes nothing', async () => {
    const { id } = await uploaded(admin, 'customers', [
      HEADER,
      ['amy@owners.example', 'X1', 'Amy'],
      ['ben@owners.example', 'X1', 'Ben'],
    ]);
    const off = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/owners`,
      payload: { excluded: [users.ben] },
    });
    expect(off.statusCode, off.body).toBe(200);
    const res = await post(`/api/v1/imports/${id}/commit`, { owners: [users.amy, users.ben] });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('import.owner_excluded');
    expect(res.json().message).toContain('ben@owners.example');
    expect(res.json().message).toContain('include');
    const view = (await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json();
    expect(view.status).toBe('validated');
    const body = await ownersOf(admin, id);
    expect(body.owners.map((o) => [o.email, o.included, o.state])).toEqual([
      ['amy@owners.example', true, 'pending'],
      ['ben@owners.example', false, 'pending'],
    ]);
    expect(await records(`type=customers&ownerUserId=${users.amy}`)).not.toContainEqual(
      expect.objectContaining({ key: 'X1' }),
    );
    // Included again, Ben can be committed by name.
    await admin.token({ method: 'PUT', url: `/api/v1/imports/${id}/owners`, payload: { excluded: [] } });
    const ok = await post(`/api/v1/imports/${id}/commit`, { owners: [users.ben] });
    expect(ok.statusCode, ok.body).toBe(202);
    expect((await settled(admin, id)).status).toBe('partly_committed');
  });

  it("applies atomic to the owners being committed: unmatched rows and other owners' invalid rows do not block them", async () => {
    const { id } = await uploaded(
      admin,
      'customers',
      [
        HEADER,
        ['amy@owners.example', 'T1', 'Amy one'],
        ['nobody@owners.example', 'T2', 'Nobody'],
        ['ben@owners.example', 'T3', ''],
        ['amy@owners.example', 'T4', 'Amy two'],
      ],
      { atomic: true },
    );
    // Ben's own invalid row blocks Ben, with a message saying atomic applies to the owners committed.
    const ben = await post(`/api/v1/imports/${id}/commit`, { owners: [users.ben] });
    expect(ben.statusCode).toBe(409);
    expect(ben.json().code).toBe('import.has_invalid_rows');
    expect(ben.json().message).toContain('1 row(s) of the owner being imported are invalid');
    expect(ben.json().message).toContain('all-or-nothing for the owners it commits');
    expect((await ownersOf(admin, id)).owners.every((o) => o.state === 'pending')).toBe(true);
    // Amy's rows are all valid: the unmatched row and Ben's invalid row do not block her.
    const amy = await post(`/api/v1/imports/${id}/commit`, { owners: [users.amy] });
    expect(amy.statusCode, amy.body).toBe(202);
    const view = await settled(admin, id);
    expect(view.status).toBe('partly_committed');
    expect(
      (await records(`type=customers&ownerUserId=${users.amy}`))
        .map((r) => r.key)
        .filter((k) => k.startsWith('T')),
    ).toEqual(['T1', 'T4']);
    // Import all (Ben is the only one left) is still refused while his row is invalid.
    const all = await post(`/api/v1/imports/${id}/commit`);
    expect(all.json().code).toBe('import.has_invalid_rows');
  });

  it('says, for a reference to a customer only in a customers import not yet committed, to commit that import first', async () => {
    const customers = await uploaded(admin, 'customers', [
      HEADER,
      ['eve@owners.example', 'UC1', 'Eve pending'],
    ]);
    const { id } = await uploaded(admin, 'appointments', [
      ['Owner', 'External ID', 'Subject', 'Start', 'End', 'Customer number'],
      ['eve@owners.example', 'UP1', 'Visit', '2026-01-05 10:00', '2026-01-05 11:00', 'UC1'],
    ]);
    const rows = await importClient(admin, world.acme.id).rows(id, '&filter=invalid');
    expect(rows[0]!.problems[0]).toMatchObject({ code: 'record.customer_unknown' });
    expect(rows[0]!.problems[0]!.message).toContain('a customer counts once its import is committed');
    // Once the customers import is committed, checking the rows again (the mapping saved) finds the customer.
    await post(`/api/v1/imports/${customers.id}/commit`).then(() => settled(admin, customers.id));
    const mapping = (await admin.token({ method: 'GET', url: `/api/v1/imports/${id}` })).json().mapping;
    const again = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${id}/mapping`,
      payload: { columns: mapping.columns.map((c: { field: string | null }) => c.field) },
    });
    expect(again.statusCode, again.body).toBe(200);
    const body = await ownersOf(admin, id);
    expect(body.owners.map((o) => [o.email, o.valid, o.invalid])).toEqual([['eve@owners.example', 1, 0]]);
  });

  it('refuses owners on a target whose rows are not grouped', async () => {
    const client = importClient(admin, world.acme.id);
    const res = await client.upload(
      stringify([
        ['Email', 'First name'],
        ['plain@owners.example', 'Plain'],
      ]),
      'u.csv',
    );
    const id = res.json().id as number;
    const owners = await admin.token({ method: 'GET', url: `/api/v1/imports/${id}/owners` });
    expect(owners.statusCode).toBe(409);
    expect(owners.json().code).toBe('import.not_grouped');
    const commit = await post(`/api/v1/imports/${id}/commit`, { owners: [users.amy] });
    expect(commit.json().code).toBe('import.not_grouped');
    expect((await client.view(id)).owners).toBeNull();
  });
});
