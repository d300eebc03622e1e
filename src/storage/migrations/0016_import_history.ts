import type { MigrationDb } from './helpers.js';

/**
 * The import history's filters: by the admin who started an import and by target, each newest
 * first (the list pages by id). Status already has its index (0002); a file-name search reads the
 * rows the other filters leave, which an import history keeps in the thousands.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createIndex('imports_started_by')
    .on('imports')
    .columns(['created_by_label', 'id'])
    .execute();
  await db.schema.createIndex('imports_target').on('imports').columns(['target', 'id']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('imports_target').execute();
  await db.schema.dropIndex('imports_started_by').execute();
}
