import { sql } from 'kysely';
import type { Db, Storage } from './database.js';

/**
 * Runs `work` in one transaction of `storage`. On SQLite the transaction takes the write lock at
 * once (BEGIN IMMEDIATE): with several connections (the API's and a worker's), a transaction that
 * read first and wrote later could otherwise fail with "database is locked" instead of waiting
 * its turn. `key` names the database file: transactions on one file take turns in this process.
 */
export function transaction<T>(storage: Storage, key: string, work: (db: Db) => Promise<T>): Promise<T> {
  if (storage.dialect !== 'sqlite') return storage.db.transaction().execute(work);
  // better-sqlite3 waits for a lock synchronously, stopping the event loop: two connections of
  // one process must take turns here, or the holder could never finish while the other waits.
  return writeTurn(key, () => sqliteTransaction(storage.db, work));
}

const turns = new Map<string, Promise<unknown>>();
/** Transactions on each file that wait for their turn (not the one running). */
const waiting = new Map<string, number>();

async function writeTurn<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = turns.get(file) ?? Promise.resolve();
  waiting.set(file, (waiting.get(file) ?? 0) + 1);
  const start = () => {
    waiting.set(file, (waiting.get(file) ?? 1) - 1);
    return work();
  };
  const mine = previous.then(start, start);
  const settled = mine.catch(() => undefined);
  turns.set(file, settled);
  try {
    return await mine;
  } finally {
    if (turns.get(file) === settled) turns.delete(file);
  }
}

/**
 * Whether another transaction of this process waits for the database while one runs: a long
 * writer (an import's commit) ends its batch early to let it in. SQLite only; PostgreSQL's
 * writers do not wait on each other's tables.
 */
export function writersWaiting(storage: Storage, key: string): boolean {
  return storage.dialect === 'sqlite' && (waiting.get(key) ?? 0) > 0;
}

function sqliteTransaction<T>(db: Db, work: (db: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (e) {
      await sql`rollback`.execute(conn);
      throw e;
    }
  });
}
