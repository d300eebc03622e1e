import { type MigrationDb, notNull, timestampType, withId } from './helpers.js';

/**
 * The bulk fixes made to an import's staged rows in the review (a value map, a find and replace, a
 * suggestion applied), in order: its history, shown with the import.
 */
export async function up(db: MigrationDb): Promise<void> {
  await withId(db, db.schema.createTable('import_fixes'))
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('kind', 'text', notNull)
    .addColumn('column_index', 'integer', notNull)
    .addColumn('column_name', 'text', notNull)
    .addColumn('details', 'text', notNull)
    .addColumn('rows_changed', 'integer', notNull)
    .addColumn('created_by_label', 'text', notNull)
    .addColumn('created_at', timestampType(db), notNull)
    .execute();
  await db.schema
    .createIndex('import_fixes_import')
    .on('import_fixes')
    .columns(['import_id', 'id'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('import_fixes').execute();
}
