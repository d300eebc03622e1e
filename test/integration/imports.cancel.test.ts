import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/app/customers.js';
import { cancelImport, requestCommit, runCommit } from '../../src/app/imports/commit-import.js';
import { createImport } from '../../src/app/imports/create-import.js';
import { getImport } from '../../src/app/imports/manage-import.js';
import { requestRollback, runRollback } from '../../src/app/imports/rollback-import.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { openTestDb, type TestDb } from '../support/db.js';

let db: TestDb;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-cancel-'));

beforeAll(async () => {
  db = await openTestDb();
  // Jobs are run by hand here, to stop one at a chosen moment.
  db.ctx.jobs = {
    enqueue: async () => {},
    announceMail: async () => {},
    work: async () => {},
    idle: async () => {},
    stop: async () => {},
  };
});
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function validated(name: string, rows: number) {
  const customer = await createCustomer(db.ctx, SYSTEM_ACTOR, { name });
  const data = [['Email']];
  for (let i = 0; i < rows; i++) data.push([`${name.toLowerCase()}${i}@cancel.example`]);
  const file = path.join(dir, `${name}.csv`);
  fs.writeFileSync(file, stringify(data));
  return createImport(db.ctx, SYSTEM_ACTOR, {
    target: 'users',
    fileName: `${name}.csv`,
    filePath: file,
    options: { customerId: customer.id },
  });
}

describe(`cancelling a commit on ${process.env.ROSTER_TEST_DB}`, () => {
  it('cancels a queued commit before anything is written', async () => {
    const view = await validated('Queued', 10);
    await requestCommit(db.ctx, SYSTEM_ACTOR, view.id);
    const cancelled = await cancelImport(db.ctx, SYSTEM_ACTOR, view.id);
    expect(cancelled.status).toBe('cancelled');
    await runCommit(db.ctx, view.id);
    const users = await db.ctx.db
      .selectFrom('users')
      .select('id')
      .where('email_key', 'like', 'queued%')
      .execute();
    expect(users).toHaveLength(0);
  });

  it('stops a running commit after the batch in hand; what was written can be rolled back', async () => {
    const view = await validated('Running', 9000);
    await requestCommit(db.ctx, SYSTEM_ACTOR, view.id);
    const running = runCommit(db.ctx, view.id);
    while (!((db.ctx.live.get(view.id)?.done ?? 0) > 0)) await new Promise((r) => setImmediate(r));
    const cancelling = await cancelImport(db.ctx, SYSTEM_ACTOR, view.id);
    expect(cancelling.status).toBe('cancelling');
    await running;
    const done = await getImport(db.ctx, SYSTEM_ACTOR, view.id);
    expect(done.status).toBe('cancelled');
    expect(done.counts.created).toBeGreaterThan(0);
    expect(done.counts.created).toBeLessThan(9000);
    const written = await db.ctx.db
      .selectFrom('users')
      .select('id')
      .where('email_key', 'like', 'running%')
      .execute();
    expect(written).toHaveLength(done.counts.created!);

    await requestRollback(db.ctx, SYSTEM_ACTOR, view.id);
    await runRollback(db.ctx, view.id);
    const after = await getImport(db.ctx, SYSTEM_ACTOR, view.id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({ deleted: done.counts.created, restored: 0, conflictCount: 0 });
    const left = await db.ctx.db
      .selectFrom('users')
      .select('id')
      .where('email_key', 'like', 'running%')
      .execute();
    expect(left).toHaveLength(0);
  });
});
