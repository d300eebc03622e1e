import { type MigrationDb, notNull, timestampType, withId } from './helpers.js';

/**
 * Bulk actions on users (disable, enable, resend invitation, add to or remove from a group,
 * delete), run as a job in batches: what was asked, by whom, how far it got and what failed.
 */
export async function up(db: MigrationDb): Promise<void> {
  await withId(db, db.schema.createTable('user_bulk_actions'))
    .addColumn('action', 'text', notNull)
    .addColumn('group_id', 'integer')
    /** The selection as JSON: `{ ids }`, or `{ filter }` as storage filters users (scope applied). */
    .addColumn('selection', 'text', notNull)
    /** Who asked, as JSON: the job acts as them, with their scope and permissions. */
    .addColumn('actor', 'text', notNull)
    .addColumn('customer_id', 'integer')
    .addColumn('status', 'text', notNull)
    .addColumn('total', 'integer', notNull)
    .addColumn('done', 'integer', notNull)
    /** The last user id handled: a resumed job goes on after it. */
    .addColumn('after_id', 'integer', notNull)
    .addColumn('changed', 'integer', notNull)
    .addColumn('unchanged', 'integer', notNull)
    .addColumn('failed', 'integer', notNull)
    .addColumn('failures', 'text', notNull)
    .addColumn('created_by_label', 'text', notNull)
    .addColumn('created_at', timestampType(db), notNull)
    .addColumn('finished_at', timestampType(db))
    .execute();
  await db.schema.createIndex('user_bulk_actions_status').on('user_bulk_actions').column('status').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('user_bulk_actions').execute();
}
