import { sql } from 'kysely';
import type { Actor } from '../core/access/policy.js';
import type { Db } from '../storage/database.js';
import { type AuditInput, insertAudit } from '../storage/queries/audit.js';
import type { AppContext } from './context.js';

/**
 * Runs `work` in one transaction; what it writes, including its audit entries, lands together.
 * On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE): with several
 * connections (the API's and a worker's), a transaction that read first and wrote later could
 * otherwise fail with "database is locked" instead of waiting its turn.
 */
export async function inTransaction<T>(ctx: AppContext, work: (db: Db) => Promise<T>): Promise<T> {
  if (ctx.storage.dialect !== 'sqlite') return ctx.db.transaction().execute(work);
  // better-sqlite3 waits for a lock synchronously, stopping the event loop: two connections of
  // one process must take turns here, or the holder could never finish while the other waits.
  return writeTurn(ctx.config.sqlitePath, () => sqliteTransaction(ctx, work));
}

const turns = new Map<string, Promise<unknown>>();

async function writeTurn<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = turns.get(file) ?? Promise.resolve();
  const mine = previous.then(work, work);
  const settled = mine.catch(() => undefined);
  turns.set(file, settled);
  try {
    return await mine;
  } finally {
    if (turns.get(file) === settled) turns.delete(file);
  }
}

function sqliteTransaction<T>(ctx: AppContext, work: (db: Db) => Promise<T>): Promise<T> {
  return ctx.db.connection().execute(async (conn) => {
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

export function audit(ctx: AppContext, db: Db, actor: Actor, entry: AuditInput): Promise<void> {
  return insertAudit(db, actor, ctx.now().toISOString(), entry);
}

/** Opaque keyset cursor: base64url of the last row's sort value and id. */
export function encodeCursor(value: string, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { value: string; id: number } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && Number.isInteger(parsed[1])) {
      return { value: parsed[0], id: parsed[1] as number };
    }
  } catch {
    // fall through: an unreadable cursor is reported by the caller
  }
  return null;
}
