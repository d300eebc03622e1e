import { sql } from 'kysely';
import { isPostgres, keyType, type MigrationDb, notNull, timestampType, withId } from './helpers.js';

/**
 * Import configurations belong to the customer scope of the admin who saved them (null: shared by
 * every customer), and their names are unique within that scope instead of across all customers.
 * SQLite cannot drop a column's unique constraint, so there the table is copied into a new one.
 */
export async function up(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) {
    await db.schema
      .alterTable('import_configs')
      .addColumn('customer_id', 'integer', (c) => c.references('customers.id').onDelete('cascade'))
      .execute();
    await sql`alter table import_configs drop constraint import_configs_name_key_key`.execute(db);
  } else {
    await copySqliteTable(db, true);
  }
  await sql`create unique index import_configs_scope_name on import_configs (coalesce(customer_id, 0), name_key)`.execute(
    db,
  );
  await db.schema.createIndex('import_configs_customer').on('import_configs').column('customer_id').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('import_configs_customer').execute();
  await db.schema.dropIndex('import_configs_scope_name').execute();
  await db.deleteFrom('import_configs').where('customer_id', 'is not', null).execute();
  if (isPostgres(db)) {
    await db.schema.alterTable('import_configs').dropColumn('customer_id').execute();
    await sql`alter table import_configs add constraint import_configs_name_key_key unique (name_key)`.execute(
      db,
    );
  } else {
    await copySqliteTable(db, false);
  }
}

/** The table as 0002 made it (name_key unique), or with customer_id (name_key unique per scope). */
async function copySqliteTable(db: MigrationDb, scoped: boolean): Promise<void> {
  let table = withId(db, db.schema.createTable('import_configs_next'))
    .addColumn('name', 'text', notNull)
    .addColumn('name_key', keyType(db), (c) => (scoped ? c.notNull() : c.notNull().unique()))
    .addColumn('target', 'text', notNull)
    .addColumn('mapping', 'text', notNull)
    .addColumn('options', 'text', notNull)
    .addColumn('created_by_label', 'text', notNull)
    .addColumn('created_at', timestampType(db), notNull)
    .addColumn('updated_at', timestampType(db), notNull);
  if (scoped) {
    table = table.addColumn('customer_id', 'integer', (c) =>
      c.references('customers.id').onDelete('cascade'),
    );
  }
  await table.execute();
  await sql`insert into import_configs_next
    (id, name, name_key, target, mapping, options, created_by_label, created_at, updated_at)
    select id, name, name_key, target, mapping, options, created_by_label, created_at, updated_at
    from import_configs`.execute(db);
  await db.schema.dropTable('import_configs').execute();
  await db.schema.alterTable('import_configs_next').renameTo('import_configs').execute();
}
