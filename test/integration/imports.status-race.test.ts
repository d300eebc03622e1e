import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/app/context.js';
import { createCustomer } from '../../src/app/customers.js';
import { cancelImport, requestCommit, runCommit } from '../../src/app/imports/commit-import.js';
import { createImport } from '../../src/app/imports/create-import.js';
import { fixRowCells, getImport, setMapping, setOptions } from '../../src/app/imports/manage-import.js';
import { requestRollback, runRollback } from '../../src/app/imports/rollback-import.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { AppError } from '../../src/core/errors.js';
import { openStorage } from '../../src/storage/database.js';
import { openTestDb, type TestDb } from '../support/db.js';

/**
 * Every pair of calls that change an import's status, run at the same moment from two
 * connections (PostgreSQL: two pools, as two processes would have; SQLite: the one writer takes
 * them in turn): one wins cleanly, the other either applies after it or gets a typed error, and
 * nobody is told of a change that is then lost (a commit answered `queued` always runs).
 */
let db: TestDb;
let other: AppContext;
let customerId: number;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-status-race-'));
const enqueued: number[] = [];

beforeAll(async () => {
  db = await openTestDb();
  const storage =
    db.dialect === 'postgres'
      ? openStorage({ databaseUrl: db.ctx.config.databaseUrl, sqlitePath: '' })
      : db.ctx.storage;
  other = createContext(storage, db.ctx.config);
  // Jobs are run by the test, after the race, so that what each call promised can be checked.
  const jobs = {
    enqueue: async (_: string, id: number) => void enqueued.push(id),
    announceMail: async () => {},
    work: async () => {},
    idle: async () => {},
    stop: async () => {},
  };
  db.ctx.jobs = jobs;
  other.jobs = jobs;
  customerId = (await createCustomer(db.ctx, SYSTEM_ACTOR, { name: 'Status Race Inc' })).id;
});
afterAll(async () => {
  if (other.storage !== db.ctx.storage) await other.storage.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let files = 0;
/** A validated import of 40 rows, the last with a bad email (so a cell fix has work to do). */
async function validatedImport(): Promise<number> {
  const n = ++files;
  const rows = [['Email', 'First name', 'Last name']];
  for (let i = 0; i < 39; i++) rows.push([`p${n}-${i}@status-race.example`, 'Ann', `Person ${i}`]);
  rows.push(['not-an-email', 'Bad', 'Row']);
  const filePath = path.join(dir, `f${n}.csv`);
  fs.writeFileSync(filePath, stringify(rows));
  const view = await createImport(db.ctx, SYSTEM_ACTOR, {
    target: 'users',
    fileName: `f${n}.csv`,
    filePath,
    options: { customerId },
  });
  expect(view.status).toBe('validated');
  return view.id;
}

type Call = 'commit' | 'options' | 'mapping' | 'fix' | 'cancel';
const CALLS: Call[] = ['commit', 'options', 'mapping', 'fix', 'cancel'];

function run(call: Call, ctx: AppContext, id: number, n: number): Promise<unknown> {
  switch (call) {
    case 'commit':
      return requestCommit(ctx, SYSTEM_ACTOR, id);
    case 'options':
      return setOptions(ctx, SYSTEM_ACTOR, id, {
        emptyCells: n % 2 === 0 ? 'clear' : 'keep',
        mode: 'insert',
      });
    case 'mapping':
      // Last name left unmapped: still complete, still validated.
      return setMapping(ctx, SYSTEM_ACTOR, id, { columns: ['email', 'firstName', null] });
    case 'fix':
      return fixRowCells(ctx, SYSTEM_ACTOR, id, 41, { Email: `fixed-${id}-${n}@status-race.example` });
    case 'cancel':
      return cancelImport(ctx, SYSTEM_ACTOR, id);
  }
}

const pairs: [Call, Call][] = [];
for (let i = 0; i < CALLS.length; i++)
  for (let j = i; j < CALLS.length; j++) pairs.push([CALLS[i]!, CALLS[j]!]);

describe(`state-changing calls racing on one import on ${process.env.ROSTER_TEST_DB}`, () => {
  it.each(pairs)('%s against %s: one wins, the other follows it or gets a typed error', async (a, b) => {
    const id = await validatedImport();
    enqueued.length = 0;
    const settled = await Promise.allSettled([run(a, db.ctx, id, 1), run(b, other, id, 2)]);
    const won = settled.map((s) => s.status === 'fulfilled');
    expect(won.some(Boolean)).toBe(true);
    for (const s of settled) {
      if (s.status === 'rejected') {
        expect(s.reason).toBeInstanceOf(AppError);
        const e = s.reason as AppError;
        expect(e.status).toBe(409);
        expect(e.code).toMatch(/^import\./);
      }
    }
    const committed = [a, b].some((c, i) => c === 'commit' && won[i]);
    const cancelled = [a, b].some((c, i) => c === 'cancel' && won[i]);
    const after = await getImport(db.ctx, SYSTEM_ACTOR, id);
    if (cancelled) expect(after.status).toBe('cancelled');
    else if (committed) expect(after.status).toBe('queued');
    else expect(after.status).toBe('validated');
    // A commit that was answered `queued` was enqueued, and runs to its end.
    if (committed) expect(enqueued).toEqual([id]);
    for (const queued of enqueued) await runCommit(db.ctx, queued);
    const final = await getImport(db.ctx, SYSTEM_ACTOR, id);
    if (committed && !cancelled) expect(final.status).toBe('completed');
    // The counts shown match the rows staged: no edit was half applied.
    expect(final.rows.total).toBe(40);
    expect(final.rows.valid + final.rows.invalid).toBe(40);
  });

  it('a rollback asked twice at once starts once; the other gets a typed error', async () => {
    const id = await validatedImport();
    enqueued.length = 0;
    await requestCommit(db.ctx, SYSTEM_ACTOR, id);
    await runCommit(db.ctx, id);
    enqueued.length = 0;
    const settled = await Promise.allSettled([
      requestRollback(db.ctx, SYSTEM_ACTOR, id),
      requestRollback(other, SYSTEM_ACTOR, id),
    ]);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const lost = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as AppError).code).toBe('import.rolling_back');
    expect(enqueued).toEqual([id]);
    await runRollback(db.ctx, id);
    expect((await getImport(db.ctx, SYSTEM_ACTOR, id)).status).toBe('rolled_back');
  });

  it('a job starting while the commit is cancelled either runs it to the end or never starts', async () => {
    const id = await validatedImport();
    await requestCommit(db.ctx, SYSTEM_ACTOR, id);
    const settled = await Promise.allSettled([runCommit(other, id), cancelImport(db.ctx, SYSTEM_ACTOR, id)]);
    expect(settled[0]!.status).toBe('fulfilled');
    const final = await getImport(db.ctx, SYSTEM_ACTOR, id);
    // Cancelled before the job took it, or heard between batches: never left in between.
    expect(['cancelled', 'completed']).toContain(final.status);
    if (settled[1]!.status === 'rejected') expect((settled[1]!.reason as AppError).status).toBe(409);
  });
});
