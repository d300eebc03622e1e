import type { MigrationDb } from './helpers.js';

/**
 * The users an import touched, newest first: an import's results link to them (`?importId=`), and
 * without this index that list read every user. Cheap for imports: one import's rows share a key
 * and arrive in created order, so each insert lands at the end of its range.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createIndex('users_import')
    .on('users')
    .columns(['import_id', 'created_at', 'id'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('users_import').execute();
}
