import { sql } from 'kysely';
import { keyType, type MigrationDb, notNull, timestampType, withId } from './helpers.js';

/**
 * Records: business data owned by one portal user (customers, appointments, tasks, visit reports),
 * all in one table with a type column. What every type has, and what lists filter, sort and search
 * on, are columns (owner, customer, key, title, the customer number referred to, the record's date);
 * the rest of a type's fields and its custom attributes are JSON. The key is unique per owner and
 * type; `version` is raised by every write (a rollback's check). Custom attribute definitions gain
 * the entity type they extend: the existing ones are the users'.
 */
export async function up(db: MigrationDb): Promise<void> {
  const ts = timestampType(db);
  const key = keyType(db);
  await withId(db, db.schema.createTable('records'))
    .addColumn('type', 'text', notNull)
    .addColumn('owner_user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('record_key', 'text', notNull)
    .addColumn('record_key_fold', key, notNull)
    .addColumn('title', 'text', notNull)
    .addColumn('title_key', key, notNull)
    .addColumn('customer_ref', 'text')
    .addColumn('customer_ref_fold', key)
    .addColumn('record_date', 'text')
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('import_id', 'integer', (c) => c.references('imports.id').onDelete('set null'))
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .execute();
  await db.schema
    .createIndex('records_owner_key')
    .unique()
    .on('records')
    .columns(['owner_user_id', 'type', 'record_key_fold'])
    .execute();
  await db.schema
    .createIndex('records_customer')
    .on('records')
    .columns(['customer_id', 'type', 'id'])
    .execute();
  await db.schema.createIndex('records_type').on('records').columns(['type', 'id']).execute();
  await db.schema.createIndex('records_title').on('records').columns(['title_key']).execute();
  await db.schema
    .createIndex('records_customer_ref')
    .on('records')
    .columns(['owner_user_id', 'customer_ref_fold'])
    .execute();
  await db.schema
    .alterTable('attribute_definitions')
    .addColumn('entity_type', 'text', (c) => c.notNull().defaultTo('user'))
    .execute();
  await sql`update attribute_definitions set entity_type = 'user'`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('attribute_definitions').dropColumn('entity_type').execute();
  await db.schema.dropTable('records').execute();
}
