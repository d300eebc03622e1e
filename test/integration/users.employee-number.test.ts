import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/storage/migrate.js';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { expectUnchanged } from '../support/db-snapshot.js';
import { buildWorld, shareEmployeeNumber, type World } from '../support/fixtures.js';
import { type ImportClient, importClient } from '../support/imports.js';

/**
 * Employee numbers are unique among users (ignoring case and surrounding spaces, leading zeros
 * significant) for every new or changed number, through the API and through an import; users that
 * already shared a number from earlier data keep it, and a row naming it names them all.
 */
let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;
const ids: Record<string, number> = {};

async function create(caller: Caller, body: object) {
  return caller.token({ method: 'POST', url: '/api/v1/users', payload: body });
}
const patch = (caller: Caller, id: number, body: object) =>
  caller.token({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: body });

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
  for (const [key, number, customerId] of [
    ['ann', 'E-007', world.acme.id],
    ['bob', '0042', world.acme.id],
    ['gus', 'G-1', world.globex.id],
  ] as const) {
    const res = await create(admin, {
      email: `${key}@example.com`,
      firstName: key,
      lastName: 'Number',
      customerId,
      employeeNumber: number,
    });
    expect(res.statusCode, res.body).toBe(201);
    ids[key] = res.json().id;
  }
});
afterAll(() => api.close());

describe(`employee numbers unique among users on ${process.env.ROSTER_TEST_DB}`, () => {
  it('refuses through the API a number another user holds, ignoring case and spaces, and changes nothing', async () => {
    for (const number of ['E-007', ' e-007 ', 'e-007']) {
      const res = await expectUnchanged(api.db.ctx.db, () =>
        create(admin, {
          email: 'cy@example.com',
          firstName: 'Cy',
          lastName: 'Number',
          customerId: world.acme.id,
          employeeNumber: number,
        }),
      );
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'user.employee_number_taken',
        details: { problems: [expect.objectContaining({ field: 'employeeNumber' })] },
      });
      expect(res.json().message).toContain('ann@example.com');
    }
    const moved = await expectUnchanged(api.db.ctx.db, () =>
      patch(admin, ids.bob!, { employeeNumber: 'E-007' }),
    );
    expect(moved.statusCode).toBe(409);
    expect(moved.json().code).toBe('user.employee_number_taken');
  });

  it('lets one of two simultaneous writes of a new number through', async () => {
    const attempt = (key: string) =>
      create(admin, {
        email: `${key}@example.com`,
        firstName: key,
        lastName: 'Race',
        customerId: world.acme.id,
        employeeNumber: 'RACE-1',
      });
    const codes = (await Promise.all([attempt('race1'), attempt('race2'), attempt('race3')])).map(
      (r) => r.statusCode,
    );
    expect(codes.sort()).toEqual([201, 409, 409]);
  });

  it('keeps leading zeros significant, and lets a user keep or re-case their own number', async () => {
    const res = await create(admin, {
      email: 'dee@example.com',
      firstName: 'Dee',
      lastName: 'Number',
      customerId: world.acme.id,
      employeeNumber: '42',
    });
    expect(res.statusCode, res.body).toBe(201);
    const own = await patch(admin, ids.ann!, { employeeNumber: 'e-007' });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().employeeNumber).toBe('e-007');
  });

  it('does not tell a scoped admin who holds the number in another customer', async () => {
    const scoped = await api.caller('user_admin', world.acme.id);
    const res = await create(scoped, {
      email: 'eve@example.com',
      firstName: 'Eve',
      lastName: 'Number',
      customerId: world.acme.id,
      employeeNumber: 'g-1',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).not.toContain('gus@example.com');
    expect(res.json().message).toContain('a user of another customer');
  });

  it("refuses an import row taking another user's number, and accepts one keeping its own", async () => {
    const upload = await client.upload(
      stringify([
        ['Email', 'Employee number', 'Last name'],
        ['fay@example.com', ' 0042 ', 'New'],
        ['ann@example.com', 'E-007', 'Kept'],
        ['bob@example.com', 'G-1', 'Taken'],
        ['hal@example.com', '00042', 'Zeros'],
      ]),
      'numbers.csv',
    );
    expect(upload.statusCode, upload.body).toBe(201);
    const id = upload.json().id as number;
    const rows = await client.rows(id);
    expect(rows.map((r) => r.valid)).toEqual([false, true, false, true]);
    expect(rows[0]!.problems[0]).toMatchObject({
      code: 'employee_number.taken',
      column: 'Employee number',
      severity: 'error',
    });
    expect(rows[0]!.problems[0]!.message).toContain('bob@example.com');
    expect(rows[2]!.problems.map((p) => p.code)).toEqual(['employee_number.taken']);
    expect(rows[2]!.problems[0]!.message).toContain('gus@example.com');
    await client.commit(id);
    expect(await client.user('fay@example.com')).toBeUndefined();
    expect((await client.user('ann@example.com'))!.lastName).toBe('Kept');
    expect((await client.user('bob@example.com'))!.employeeNumber).toBe('0042');
    expect((await client.user('hal@example.com'))!.employeeNumber).toBe('00042');
  });

  it('refuses two rows of one file giving the same number', async () => {
    const upload = await client.upload(
      stringify([
        ['Email', 'Employee number'],
        ['ivy@example.com', 'N-1'],
        ['jon@example.com', 'n-1 '],
      ]),
      'twins.csv',
    );
    const rows = await client.rows(upload.json().id);
    expect(rows.map((r) => r.valid)).toEqual([true, false]);
    expect(rows[1]!.problems.map((p) => p.code)).toEqual(['row.duplicate']);
  });

  it('lets users that shared a number from earlier data keep it, and names both when a row names it', async () => {
    const kim = await create(admin, {
      email: 'kim@example.com',
      firstName: 'Kim',
      lastName: 'Number',
      customerId: world.acme.id,
    });
    const kimId = kim.json().id as number;
    await shareEmployeeNumber(api.db.ctx, kimId, '0042');
    // Changing something else, or the number's case, is no new number.
    const renamed = await patch(admin, kimId, { lastName: 'Shared', employeeNumber: '0042' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const upload = await client.upload(
      stringify([
        ['Employee number', 'Email', 'Last name'],
        ['0042', 'kim@example.com', 'Again'],
      ]),
      'shared.csv',
      { mode: 'update', targetOptions: { matchBy: 'employeeNumber' } },
    );
    const rows = await client.rows(upload.json().id);
    const ambiguous = rows[0]!.problems.find((p) => p.code === 'match.ambiguous')!;
    expect(ambiguous.message).toContain('bob@example.com');
    expect(ambiguous.message).toContain('kim@example.com');
  });

  it('gives numbers stored before the key existed their key, letters beyond ASCII included', async () => {
    const db = api.db.ctx.db;
    await migrateTo(db, '0021_user_bulk_actions');
    await sql`update users set employee_number = ${' É-12 '} where id = ${ids.ann!}`.execute(db);
    await sql`update users set employee_number = ${'ABC-9'} where id = ${ids.bob!}`.execute(db);
    await migrateToLatest(db);
    const keys = await db
      .selectFrom('users')
      .select(['id', 'employee_number_key'])
      .where('id', 'in', [ids.ann!, ids.bob!])
      .orderBy('id')
      .execute();
    expect(keys.map((k) => k.employee_number_key)).toEqual(['é-12', 'abc-9']);
    const res = await create(admin, {
      email: 'lee@example.com',
      firstName: 'Lee',
      lastName: 'Number',
      customerId: world.acme.id,
      employeeNumber: 'é-12',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('ann@example.com');
  });
});
