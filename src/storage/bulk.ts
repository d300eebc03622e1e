import type SQLite from 'better-sqlite3';
import { CompiledQuery, type DialectAdapter } from 'kysely';
import type { Db } from './database.js';

/**
 * Bulk paths of imports: thousands of rows per batch, where the cost of a query builder shows.
 *
 * SQLite: raw better-sqlite3 prepared statements, prepared once per connection and run per row.
 * Kysely's SQLite driver prepares every statement anew and builds it through its query tree,
 * about twice the cost of the insert itself on these paths (docs/performance.md). The raw handle
 * is the very connection Kysely uses (one per database file), so the statements run inside the
 * transaction `db` is bound to; `onSqliteConnection` takes the connection the way a Kysely query
 * would, so that a raw statement never slips into another flow's transaction.
 *
 * PostgreSQL: one statement per batch with one array parameter per column (`unnest`), so a batch
 * costs one round trip instead of one per row, and the statement's size does not grow with it.
 */
const handles = new WeakMap<DialectAdapter, SQLite.Database>();
const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/** Called by openStorage: `db` and every Kysely derived from it (transactions, plugins) share the adapter. */
export function registerSqliteHandle(db: Db, sqlite: SQLite.Database): void {
  handles.set(db.getExecutor().adapter, sqlite);
}

/** The raw handle behind `db` on SQLite; null on PostgreSQL. */
export function sqliteHandle(db: Db): SQLite.Database | null {
  return handles.get(db.getExecutor().adapter) ?? null;
}

/**
 * Runs synchronous raw work on `db`'s connection: directly inside a Kysely transaction (which holds
 * the connection), otherwise after taking the connection as a query would. `work` must not use
 * Kysely itself (it would wait for the connection it holds).
 */
export async function onSqliteConnection<T>(db: Db, work: () => T): Promise<T> {
  if (db.isTransaction) return work();
  return db.connection().execute(async () => work());
}

/** A statement prepared once per connection and kept. */
export function prepared(sqlite: SQLite.Database, text: string): SQLite.Statement {
  let cache = statements.get(sqlite);
  if (!cache) {
    cache = new Map();
    statements.set(sqlite, cache);
  }
  let statement = cache.get(text);
  if (!statement) {
    statement = sqlite.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

/** Runs one PostgreSQL statement with its parameters (arrays for `unnest`), returning its rows. */
export async function pgQuery<R>(db: Db, text: string, parameters: readonly unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]))).rows;
}

/** Columns of a batch for `unnest`: one array per column, in row order. */
export function columnsOf<T>(rows: readonly T[], pick: readonly ((row: T) => unknown)[]): unknown[][] {
  const out = pick.map(() => new Array<unknown>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (let c = 0; c < pick.length; c++) out[c]![i] = pick[c]!(row);
  }
  return out;
}
