import type { MigrationDb } from './helpers.js';

/**
 * Imports whose rows are grouped by owner (record targets): each staged row keeps the owner it
 * resolved to (`owner_id`, a user id) or, when it matched nobody, the value it named
 * (`owner_value`), indexed with the import so that the owners page is one GROUP BY and one owner's
 * rows are read alone. `import_owners` keeps what the admin decided per owner (included or not) and
 * where each owner is (pending, queued, importing, imported, skipped, failed, rolled back), with its
 * result counts. The restore point records the owner of each change, so that rolling back one owner
 * reads only that owner's changes.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('import_rows').addColumn('owner_id', 'integer').execute();
  await db.schema.alterTable('import_rows').addColumn('owner_value', 'text').execute();
  await db.schema
    .createIndex('import_rows_owner')
    .on('import_rows')
    .columns(['import_id', 'owner_id', 'row_number'])
    .execute();
  await db.schema.alterTable('import_changes').addColumn('owner_id', 'integer').execute();
  await db.schema
    .createIndex('import_changes_owner')
    .on('import_changes')
    .columns(['import_id', 'owner_id', 'reverted', 'entity_type', 'entity_id'])
    .execute();
  await db.schema
    .createTable('import_owners')
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('included', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('first_row', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('job', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result', 'text')
    .addPrimaryKeyConstraint('import_owners_pk', ['import_id', 'owner_id'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('import_owners').execute();
  await db.schema.dropIndex('import_changes_owner').execute();
  await db.schema.alterTable('import_changes').dropColumn('owner_id').execute();
  await db.schema.dropIndex('import_rows_owner').execute();
  await db.schema.alterTable('import_rows').dropColumn('owner_value').execute();
  await db.schema.alterTable('import_rows').dropColumn('owner_id').execute();
}
