import { sql } from 'kysely';
import type { RecordedChange } from '../../core/import/target.js';
import { RECORD_ENTITY } from '../../core/import/targets/owned-records.js';
import { USER_ENTITY } from '../../core/import/targets/user-restore.js';
import { columnsOf, onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';

/**
 * The restore points of imports: per import and entity (its type and id), whether the import
 * created or updated it, the before-image of an update, and the version the import left it at.
 * What the entities are is the targets' business; this module only stores and hands back.
 */
export interface ChangeRecord {
  entityType: string;
  entityId: number;
  change: 'created' | 'updated' | 'deleted';
  /** The before-image as JSON text. */
  before: string | null;
  versionAfter: number;
}

/** Records a batch of written entities of one type, in the commit's transaction. */
export async function recordChanges(
  db: Db,
  importId: number,
  entityType: string,
  changes: readonly RecordedChange<unknown>[],
  owner: number | null = null,
): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((c) => ({
    entityId: c.entityId,
    change: c.change,
    before: c.before === null ? null : JSON.stringify(c.before),
    versionAfter: c.versionAfter,
  }));
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    await onSqliteConnection(db, () => {
      const insert = prepared(sqlite, INSERT_CHANGE_SQLITE);
      for (const r of rows)
        insert.run(importId, entityType, r.entityId, r.change, r.before, r.versionAfter, owner);
    });
    return;
  }
  await pgQuery(db, INSERT_CHANGES_POSTGRES, [
    importId,
    entityType,
    owner,
    ...columnsOf(rows, [(r) => r.entityId, (r) => r.change, (r) => r.before, (r) => r.versionAfter]),
  ]);
}
const INSERT_CHANGE_SQLITE =
  'insert into import_changes (import_id, entity_type, entity_id, change, before, version_after, reverted, owner_id) ' +
  'values (?, ?, ?, ?, ?, ?, 0, ?)';
const INSERT_CHANGES_POSTGRES =
  'insert into import_changes (import_id, entity_type, owner_id, entity_id, change, before, version_after, reverted) ' +
  'select $1::int4, $2::text, $3::int4, c.*, 0 from unnest($4::int4[], $5::text[], $6::text[], $7::int4[]) as c';

/**
 * The next changes a rollback has not dealt with yet, in key order; with `owners`, only the changes
 * those owners' rows made (read through the `import_changes_owner` index, one owner at a time, so
 * that the other owners' changes are never read).
 */
export async function pendingChanges(
  db: Db,
  importId: number,
  limit: number,
  owners?: readonly number[],
): Promise<ChangeRecord[]> {
  if (owners) {
    for (const owner of owners) {
      const found = await pendingOf(db, importId, limit, owner);
      if (found.length > 0) return found;
    }
    return [];
  }
  return pendingOf(db, importId, limit);
}

async function pendingOf(db: Db, importId: number, limit: number, owner?: number): Promise<ChangeRecord[]> {
  let q = db
    .selectFrom('import_changes')
    .select(['entity_type', 'entity_id', 'change', 'before', 'version_after'])
    .where('import_id', '=', importId);
  if (owner !== undefined) q = q.where('owner_id', '=', owner);
  const rows = await q
    .where('reverted', '=', 0)
    .orderBy('entity_type')
    .orderBy('entity_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    entityType: r.entity_type,
    entityId: r.entity_id,
    change: r.change as ChangeRecord['change'],
    before: r.before,
    versionAfter: r.version_after,
  }));
}

/** Marks changes as dealt with by the rollback (undone, or reported and left alone). */
export async function markReverted(
  db: Db,
  importId: number,
  entityType: string,
  entityIds: readonly number[],
): Promise<void> {
  for (let i = 0; i < entityIds.length; i += 500) {
    await db
      .updateTable('import_changes')
      .set({ reverted: 1 })
      .where('import_id', '=', importId)
      .where('entity_type', '=', entityType)
      .where('entity_id', 'in', entityIds.slice(i, i + 500))
      .execute();
  }
}

/** The imports that created or changed a user, newest first: the imports in the user's history. */
export async function importsThatChanged(db: Db, userId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('import_changes')
    .select('import_id')
    .where('entity_type', '=', USER_ENTITY)
    .where('entity_id', '=', userId)
    .orderBy('import_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.import_id);
}

/**
 * What a rollback of the import would leave alone: the entities it wrote (not dealt with yet) that
 * were deleted or changed since (their version moved on), and among them the users activated
 * since `since` (the import's start). Each entity type is looked up in its own table.
 */
export async function changedSince(
  db: Db,
  importId: number,
  since: string,
): Promise<{ changed: number; activated: number }> {
  const r = await sql<{ changed: number | string | null; activated: number | string | null }>`
    select
      sum(case
        when c.entity_type = ${USER_ENTITY} and c.change = 'deleted' then 0
        when c.entity_type = ${USER_ENTITY} and (u.id is null or u.version <> c.version_after) then 1
        when c.entity_type = ${RECORD_ENTITY} and (r.id is null or r.version <> c.version_after) then 1
        else 0 end) as changed,
      sum(case
        when u.version <> c.version_after and u.activated_at >= ${since} then 1
        else 0 end) as activated
    from import_changes c
    left join users u on c.entity_type = ${USER_ENTITY} and u.id = c.entity_id
    left join records r on c.entity_type = ${RECORD_ENTITY} and r.id = c.entity_id
    where c.import_id = ${importId} and c.reverted = 0`.execute(db);
  const row = r.rows[0];
  return { changed: Number(row?.changed ?? 0), activated: Number(row?.activated ?? 0) };
}

/** A rollback's progress: the import's changes dealt with, of all it recorded. */
export async function revertedCount(db: Db, importId: number): Promise<{ done: number; total: number }> {
  const r = await db
    .selectFrom('import_changes')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('total'),
      eb.fn.sum<number | string | null>('reverted').as('done'),
    ])
    .where('import_id', '=', importId)
    .executeTakeFirst();
  return { done: Number(r?.done ?? 0), total: Number(r?.total ?? 0) };
}
