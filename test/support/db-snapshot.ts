import { PostgresAdapter, sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../src/storage/database.js';

/**
 * Bookkeeping, not data an admin changes: migrations, the sign-in throttle, and the users' search
 * index (`user_search*`, FTS5's shadow tables included), which the background indexer derives from
 * the users at its own pace; the users themselves are compared.
 */
const SKIPPED = /^(kysely_|sqlite_|login_throttle$|user_search)/;

/** Every table of the schema, whatever migrations have added. */
async function tables(db: Db): Promise<string[]> {
  const query =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`
      : sql<{ name: string }>`select name from sqlite_master where type = 'table'`;
  const { rows } = await query.execute(db);
  return rows
    .map((r) => r.name)
    .filter((name) => !SKIPPED.test(name))
    .sort();
}

/** Columns a mere read or sign-in touches: a token's last use, an admin's last sign-in. */
const VOLATILE = new Set(['last_used_at', 'last_login_at']);

export type Snapshot = Record<string, string[]>;

/** The whole content of the database, table by table, in a stable order: compare two with toEqual. */
export async function snapshot(db: Db): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const table of await tables(db)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    out[table] = rows
      .map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !VOLATILE.has(column))))
      .sort();
  }
  return out;
}

/** Runs `work` and fails the test unless the database is exactly as it was before. */
export async function expectUnchanged<T>(db: Db, work: () => Promise<T>, what = 'the database'): Promise<T> {
  const before = await snapshot(db);
  const result = await work();
  expect(await snapshot(db), `${what} changed`).toEqual(before);
  return result;
}
