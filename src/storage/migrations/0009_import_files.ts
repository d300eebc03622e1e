import { isPostgres, type MigrationDb, notNull } from './helpers.js';

/**
 * Import files kept in the database, in chunks: with PostgreSQL, web and worker processes share
 * nothing but the database (no shared folder). The embedded default keeps them in DATA_DIR.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('import_files')
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('seq', 'integer', notNull)
    .addColumn('data', isPostgres(db) ? 'bytea' : 'blob', notNull)
    .addPrimaryKeyConstraint('import_files_pk', ['import_id', 'seq'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('import_files').ifExists().execute();
}
