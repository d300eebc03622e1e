import { keyType, type MigrationDb, notNull, timestampType, withId } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  const ts = timestampType(db);
  const key = keyType(db);

  await withId(db, db.schema.createTable('imports'))
    .addColumn('target', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('customer_id', 'integer')
    .addColumn('scope_customer_id', 'integer')
    .addColumn('created_by_admin_id', 'integer')
    .addColumn('created_by_label', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .addColumn('file_name', 'text', notNull)
    .addColumn('file_size', 'bigint', notNull)
    .addColumn('file_sha256', 'text', notNull)
    .addColumn('file_format', 'text', notNull)
    .addColumn('file_meta', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('header', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('mapping', 'text', (c) => c.notNull().defaultTo('{"columns":[]}'))
    .addColumn('options', 'text', notNull)
    .addColumn('total_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('valid_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('invalid_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('planned', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('committed_through', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('counts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .addColumn('error', 'text')
    .addColumn('rollback', 'text')
    .addColumn('duplicate_of', 'integer')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .execute();
  await db.schema.createIndex('imports_created').on('imports').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('imports_sha').on('imports').columns(['file_sha256', 'target']).execute();
  await db.schema.createIndex('imports_status').on('imports').column('status').execute();

  // Staged rows: the file's cells and their verdict, keyed by (import, row number in the file).
  await db.schema
    .createTable('import_rows')
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('row_number', 'integer', notNull)
    .addColumn('cells', 'text', notNull)
    .addColumn('k1', key)
    .addColumn('k2', key)
    .addColumn('k3', key)
    .addColumn('valid', 'integer', notNull)
    .addColumn('action', 'text')
    .addColumn('problems', 'text')
    .addColumn('codes', 'text')
    .addColumn('result', 'text')
    .addColumn('result_id', 'integer')
    .addColumn('result_message', 'text')
    .addPrimaryKeyConstraint('import_rows_pk', ['import_id', 'row_number'])
    .execute();

  // The restore point: what each import created, and each changed user's state before it.
  await db.schema
    .createTable('import_changes')
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', notNull)
    .addColumn('change', 'text', notNull)
    .addColumn('before', 'text')
    .addColumn('version_after', 'integer', notNull)
    .addColumn('reverted', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('import_changes_pk', ['import_id', 'user_id'])
    .execute();

  await withId(db, db.schema.createTable('notifications'))
    .addColumn('admin_id', 'integer', (c) => c.notNull().references('admins.id').onDelete('cascade'))
    .addColumn('kind', 'text', notNull)
    .addColumn('title', 'text', notNull)
    .addColumn('body', 'text', notNull)
    .addColumn('import_id', 'integer')
    .addColumn('created_at', ts, notNull)
    .addColumn('read_at', ts)
    .execute();
  await db.schema
    .createIndex('notifications_admin')
    .on('notifications')
    .columns(['admin_id', 'id'])
    .execute();

  await withId(db, db.schema.createTable('import_configs'))
    .addColumn('name', 'text', notNull)
    .addColumn('name_key', key, (c) => c.notNull().unique())
    .addColumn('target', 'text', notNull)
    .addColumn('mapping', 'text', notNull)
    .addColumn('options', 'text', notNull)
    .addColumn('created_by_label', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['import_configs', 'notifications', 'import_changes', 'import_rows', 'imports']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
