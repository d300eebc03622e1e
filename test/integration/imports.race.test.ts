import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/app/context.js';
import { createCustomer } from '../../src/app/customers.js';
import { requestCommit, runCommit } from '../../src/app/imports/commit-import.js';
import { createImport } from '../../src/app/imports/create-import.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { openStorage } from '../../src/storage/database.js';
import { openTestDb, type TestDb } from '../support/db.js';

/**
 * Two imports of overlapping emails committed at the same moment by two workers with their own
 * connections: the unique email key holds, and a row whose create lost the race is applied under
 * its import's mode (skipped by an insert, updated by an upsert), never failed.
 */
let db: TestDb;
let other: AppContext;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-race-'));

beforeAll(async () => {
  db = await openTestDb();
  // PostgreSQL: a second pool, as a second worker process would have. SQLite: one writer per file
  // at a time by design, so the second worker shares the connection and the batches interleave.
  const storage =
    db.dialect === 'postgres'
      ? openStorage({ databaseUrl: db.ctx.config.databaseUrl, sqlitePath: '' })
      : db.ctx.storage;
  other = createContext(storage, db.ctx.config);
  const noop = {
    enqueue: async () => {},
    announceMail: async () => {},
    work: async () => {},
    idle: async () => {},
    stop: async () => {},
  };
  db.ctx.jobs = noop;
  other.jobs = noop;
});
afterAll(async () => {
  if (other.storage !== db.ctx.storage) await other.storage.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, from: number, to: number, domain = 'race.example'): string {
  const rows = [['Email', 'First name']];
  for (let i = from; i < to; i++) rows.push([`person${i}@${domain}`, name]);
  const p = path.join(dir, `${name}.csv`);
  fs.writeFileSync(p, stringify(rows));
  return p;
}

describe(`two imports racing on the same emails on ${process.env.ROSTER_TEST_DB}`, () => {
  it('never creates a duplicate, and an insert skips each row the other import created first', async () => {
    const customer = await createCustomer(db.ctx, SYSTEM_ACTOR, { name: 'Race Inc' });
    const options = { customerId: customer.id, mode: 'insert' as const };
    // Both validated before either commits: each plans to create the 3,000 shared emails.
    const a = await createImport(db.ctx, SYSTEM_ACTOR, {
      target: 'users',
      fileName: 'a.csv',
      filePath: file('A', 0, 6000),
      options,
    });
    const b = await createImport(db.ctx, SYSTEM_ACTOR, {
      target: 'users',
      fileName: 'b.csv',
      filePath: file('B', 3000, 9000),
      options,
    });
    expect(a.planned).toEqual({ create: 6000 });
    expect(b.planned).toEqual({ create: 6000 });
    await requestCommit(db.ctx, SYSTEM_ACTOR, a.id);
    await requestCommit(db.ctx, SYSTEM_ACTOR, b.id);

    await Promise.all([runCommit(db.ctx, a.id), runCommit(other, b.id)]);

    const users = await db.ctx.db
      .selectFrom('users')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.count<number>('email_key').distinct().as('emails'),
      ])
      .where('email_key', 'like', '%@race.example')
      .executeTakeFirstOrThrow();
    expect(Number(users.n)).toBe(9000);
    expect(Number(users.emails)).toBe(9000);

    const results = await db.ctx.db
      .selectFrom('import_rows')
      .select(['import_id', 'result', 'result_message', 'cells'])
      .where('import_id', 'in', [a.id, b.id])
      .execute();
    const created = results.filter((r) => r.result === 'created').length;
    expect(created).toBe(9000);
    // Every shared email was created by exactly one import; the other says why it did not.
    const shared = results.filter((r) => {
      const n = Number(/person(\d+)@/.exec(r.cells)![1]);
      return n >= 3000 && n < 6000;
    });
    expect(shared).toHaveLength(6000);
    const losers = shared.filter((r) => r.result !== 'created');
    expect(losers).toHaveLength(3000);
    for (const r of losers) {
      expect(r.result).toBe('skipped');
      expect(r.result_message).toMatch(/A user with this email exists/);
    }
    expect(results.filter((r) => r.result === 'failed')).toEqual([]);
    for (const id of [a.id, b.id]) {
      const rec = await db.ctx.db
        .selectFrom('imports')
        .select(['status'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(rec.status).toBe('completed');
    }
  });

  it('updates, under upsert, each row the other import created first: none failed, none duplicated', async () => {
    const customer = await createCustomer(db.ctx, SYSTEM_ACTOR, { name: 'Upsert Race Inc' });
    const options = { customerId: customer.id, mode: 'upsert' as const };
    const a = await createImport(db.ctx, SYSTEM_ACTOR, {
      target: 'users',
      fileName: 'ua.csv',
      filePath: file('UA', 0, 6000, 'upsert.race.example'),
      options,
    });
    const b = await createImport(db.ctx, SYSTEM_ACTOR, {
      target: 'users',
      fileName: 'ub.csv',
      filePath: file('UB', 3000, 9000, 'upsert.race.example'),
      options,
    });
    expect(a.planned).toEqual({ create: 6000 });
    expect(b.planned).toEqual({ create: 6000 });
    await requestCommit(db.ctx, SYSTEM_ACTOR, a.id);
    await requestCommit(db.ctx, SYSTEM_ACTOR, b.id);

    await Promise.all([runCommit(db.ctx, a.id), runCommit(other, b.id)]);

    const users = await db.ctx.db
      .selectFrom('users')
      .select(['email_key', 'first_name'])
      .where('email_key', 'like', '%@upsert.race.example')
      .execute();
    expect(users).toHaveLength(9000);
    expect(new Set(users.map((u) => u.email_key)).size).toBe(9000);

    const results = await db.ctx.db
      .selectFrom('import_rows')
      .select(['import_id', 'result', 'result_message', 'cells'])
      .where('import_id', 'in', [a.id, b.id])
      .execute();
    expect(results.filter((r) => r.result === 'failed')).toEqual([]);
    expect(results.filter((r) => r.result === 'created')).toHaveLength(9000);
    const shared = results.filter((r) => {
      const n = Number(/person(\d+)@/.exec(r.cells)![1]);
      return n >= 3000 && n < 6000;
    });
    // Each shared email: created by one import, updated by the other (their first names differ).
    const byEmail = new Map<string, string[]>();
    for (const r of shared) {
      const email = /person\d+@[\w.]+/.exec(r.cells)![0];
      byEmail.set(email, [...(byEmail.get(email) ?? []), r.result!].sort());
    }
    expect(byEmail.size).toBe(3000);
    for (const outcomes of byEmail.values()) expect(outcomes).toEqual(['created', 'updated']);
    // Whichever import wrote a shared user last left its first name on it.
    for (const u of users) expect(['UA', 'UB']).toContain(u.first_name);
  });
});
