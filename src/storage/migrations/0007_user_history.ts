import type { MigrationDb } from './helpers.js';

/**
 * A user's history lists the imports that created or changed the user: without this index that
 * read went through every import's restore points (their key starts with the import).
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createIndex('import_changes_user')
    .on('import_changes')
    .columns(['user_id', 'import_id'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('import_changes_user').execute();
}
