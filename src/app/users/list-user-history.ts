import type { Actor } from '../../core/access/policy.js';
import type { AuditEntry } from '../../core/domain/entities.js';
import { listUserHistory as readHistory } from '../../storage/queries/audit.js';
import { importsThatChanged } from '../../storage/queries/import-changes.js';
import { changesOfEntity } from '../../storage/queries/import-rows.js';
import type { AppContext } from '../context.js';
import { getUser } from './get-user.js';

/** What an import did to the directory, as the audit says it: started, ended, undone. */
const IMPORT_EFFECTS = [
  'import.commit',
  'import.completed',
  'import.cancelled',
  'import.failed',
  'import.partly_committed',
  'import.rollback',
  'import.rolled_back',
] as const;

/** More imports than this touching one user is rare; the history then shows the newest ones. */
const MAX_IMPORTS = 200;

/**
 * A user's history, newest first: the audit entries about the user and those of the imports that
 * created or changed them. Whoever may read the user may read it (`directory.read`, within scope),
 * so a viewer sees what happened to a user without reading the whole audit log.
 */
export async function listUserHistory(
  ctx: AppContext,
  actor: Actor,
  userId: number,
  page: { before?: number; limit: number },
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  await getUser(ctx, actor, userId);
  const importIds = await importsThatChanged(ctx.db, userId, MAX_IMPORTS);
  const rows = await readHistory(ctx.db, {
    userId,
    importIds,
    importActions: IMPORT_EFFECTS,
    ...(page.before !== undefined && { beforeId: page.before }),
    limit: page.limit + 1,
  });
  const items = await withImportChanges(ctx, rows.slice(0, page.limit), userId);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? String(last.id) : null };
}

/** Where an import ended, the history shows what it changed of this user (as the user's own entries do). */
const IMPORT_ENDS = new Set([
  'import.completed',
  'import.cancelled',
  'import.failed',
  'import.partly_committed',
]);

async function withImportChanges(
  ctx: AppContext,
  items: AuditEntry[],
  userId: number,
): Promise<AuditEntry[]> {
  const ends = items.filter((e) => e.entityType === 'import' && IMPORT_ENDS.has(e.action));
  const changes = await changesOfEntity(ctx.db, [...new Set(ends.map((e) => Number(e.entityId)))], userId);
  // The entry of the commit that wrote the row: a commit of the first rows (`firstRows`) says the
  // last row it reached; the earliest end reaching the row is its commit.
  const owner = new Map<number, number>();
  for (const e of [...ends].sort((a, b) => a.id - b.id)) {
    const found = changes.get(Number(e.entityId));
    if (!found || owner.has(Number(e.entityId))) continue;
    const through = e.details.throughRow;
    if (typeof through !== 'number' || found.row <= through) owner.set(Number(e.entityId), e.id);
  }
  return items.map((e) => {
    const found = changes.get(Number(e.entityId));
    return found && owner.get(Number(e.entityId)) === e.id
      ? { ...e, details: { ...e.details, changes: found.changes } }
      : e;
  });
}
