import type { Actor } from '../core/access/policy.js';
import type { Db } from '../storage/database.js';
import { type AuditInput, insertAudit } from '../storage/queries/audit.js';
import { transaction } from '../storage/transaction.js';
import type { AppContext } from './context.js';

/** Runs `work` in one transaction; what it writes, including its audit entries, lands together. */
export function inTransaction<T>(ctx: AppContext, work: (db: Db) => Promise<T>): Promise<T> {
  return transaction(ctx.storage, ctx.config.sqlitePath, work);
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
