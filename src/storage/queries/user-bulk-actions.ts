import type { Db } from '../database.js';
import type { UserBulkActionsTable } from '../schema.js';

/** Bulk actions on users: one row each, its progress written after every batch. */
export type BulkActionRow = Omit<UserBulkActionsTable, 'id'> & { id: number };

export type NewBulkAction = Pick<
  UserBulkActionsTable,
  'action' | 'group_id' | 'selection' | 'actor' | 'customer_id' | 'total' | 'created_by_label' | 'created_at'
>;

export async function insertBulkAction(db: Db, row: NewBulkAction): Promise<number> {
  const inserted = await db
    .insertInto('user_bulk_actions')
    .values({
      ...row,
      status: 'queued',
      done: 0,
      after_id: 0,
      changed: 0,
      unchanged: 0,
      failed: 0,
      failures: '[]',
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function findBulkAction(db: Db, id: number): Promise<BulkActionRow | undefined> {
  const row = await db.selectFrom('user_bulk_actions').selectAll().where('id', '=', id).executeTakeFirst();
  return (
    row && {
      ...row,
      created_at: String(row.created_at),
      finished_at: row.finished_at && String(row.finished_at),
    }
  );
}

export async function updateBulkAction(
  db: Db,
  id: number,
  values: Partial<Omit<UserBulkActionsTable, 'id'>>,
): Promise<void> {
  await db.updateTable('user_bulk_actions').set(values).where('id', '=', id).execute();
}

/** Bulk actions a stop left queued or part done: resumed when a worker starts. */
export async function unfinishedBulkActions(db: Db): Promise<number[]> {
  const rows = await db
    .selectFrom('user_bulk_actions')
    .select('id')
    .where('status', 'in', ['queued', 'running'])
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
