import { keyType, type MigrationDb, notNull, timestampType, withId } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  const ts = timestampType(db);
  const key = keyType(db);

  await withId(db, db.schema.createTable('customers'))
    .addColumn('name', 'text', notNull)
    .addColumn('name_key', key, (c) => c.notNull().unique())
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .execute();

  await withId(db, db.schema.createTable('sites'))
    .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('name', 'text', notNull)
    .addColumn('name_key', key, notNull)
    .addColumn('created_at', ts, notNull)
    .addUniqueConstraint('sites_customer_name_key', ['customer_id', 'name_key'])
    .execute();

  await withId(db, db.schema.createTable('contacts'))
    .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id'))
    .addColumn('first_name', 'text', notNull)
    .addColumn('last_name', 'text', notNull)
    .addColumn('email', 'text')
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .execute();
  await db.schema.createIndex('contacts_customer').on('contacts').columns(['customer_id', 'id']).execute();

  await withId(db, db.schema.createTable('portal_roles'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, notNull)
    .execute();

  await withId(db, db.schema.createTable('groups'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, notNull)
    .execute();

  await db.schema
    .createTable('group_roles')
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('role_id', 'integer', (c) => c.notNull().references('portal_roles.id'))
    .addPrimaryKeyConstraint('group_roles_pk', ['group_id', 'role_id'])
    .execute();
  await db.schema.createIndex('group_roles_role').on('group_roles').column('role_id').execute();

  await withId(db, db.schema.createTable('attribute_definitions'))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', notNull)
    .addColumn('type', 'text', notNull)
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, notNull)
    .execute();

  await withId(db, db.schema.createTable('users'))
    .addColumn('email', 'text', notNull)
    .addColumn('email_key', key, (c) => c.notNull().unique())
    .addColumn('username', 'text', notNull)
    .addColumn('username_key', key, (c) => c.notNull().unique())
    .addColumn('first_name', 'text', notNull)
    .addColumn('last_name', 'text', notNull)
    .addColumn('last_name_key', key, notNull)
    .addColumn('display_name', 'text', notNull)
    .addColumn('display_name_key', key, notNull)
    .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id'))
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id'))
    .addColumn('contact_id', 'integer', (c) => c.unique().references('contacts.id'))
    .addColumn('user_type', 'text', notNull)
    .addColumn('access_level', 'text')
    .addColumn('employee_number', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', notNull)
    .addColumn('password_hash', 'text')
    .addColumn('activated_at', ts)
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('import_id', 'integer')
    .execute();
  // Users indexes: every one slows bulk imports, so each is here for a read that needs it.
  // The unique email_key and username_key indexes also serve the email/username orders and searches.
  // Each other list order has its own index, ending in id for stable keyset paging; the name ones
  // also serve the prefix search. docs/performance.md has the measurements.
  await db.schema.createIndex('users_created').on('users').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('users_display_name').on('users').columns(['display_name_key', 'id']).execute();
  await db.schema.createIndex('users_last_name').on('users').columns(['last_name_key', 'id']).execute();
  // A customer's users newest first (what a customer-scoped admin sees) and, with status carried at
  // the end, the total of a customer + status filter counted from the index alone: 13 ms on SQLite
  // and 11 ms on PostgreSQL for 110,000 of a million users, against 90 and 110 ms reading rows.
  await db.schema
    .createIndex('users_customer')
    .on('users')
    .columns(['customer_id', 'created_at', 'id', 'status'])
    .execute();
  // Users of a status newest first, and the total of a status counted from the index alone.
  await db.schema.createIndex('users_status').on('users').columns(['status', 'created_at', 'id']).execute();
  // The site filter, and the check that a site has no users before it is deleted.
  await db.schema.createIndex('users_site').on('users').column('site_id').execute();
  // Record imports find a row's owner by employee number.
  await db.schema.createIndex('users_employee_number').on('users').column('employee_number').execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role_id', 'integer', (c) => c.notNull().references('portal_roles.id'))
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role_id'])
    .execute();
  // The role filter (does this user hold the role?) and its total, counted from this index alone.
  await db.schema.createIndex('user_roles_role').on('user_roles').columns(['role_id', 'user_id']).execute();

  await db.schema
    .createTable('user_groups')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id'))
    .addPrimaryKeyConstraint('user_groups_pk', ['user_id', 'group_id'])
    .execute();
  await db.schema
    .createIndex('user_groups_group')
    .on('user_groups')
    .columns(['group_id', 'user_id'])
    .execute();

  await withId(db, db.schema.createTable('admins'))
    .addColumn('email', 'text', notNull)
    .addColumn('email_key', key, (c) => c.notNull().unique())
    .addColumn('name', 'text', notNull)
    .addColumn('role', 'text', notNull)
    .addColumn('customer_id', 'integer', (c) => c.references('customers.id'))
    .addColumn('password_hash', 'text', notNull)
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .addColumn('last_login_at', ts)
    .execute();

  await withId(db, db.schema.createTable('admin_sessions'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('admin_id', 'integer', (c) => c.notNull().references('admins.id').onDelete('cascade'))
    .addColumn('created_at', ts, notNull)
    .addColumn('expires_at', ts, notNull)
    .execute();
  await db.schema.createIndex('admin_sessions_admin').on('admin_sessions').column('admin_id').execute();

  await withId(db, db.schema.createTable('api_tokens'))
    .addColumn('admin_id', 'integer', (c) => c.notNull().references('admins.id').onDelete('cascade'))
    .addColumn('name', 'text', notNull)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('expires_at', ts)
    .addColumn('last_used_at', ts)
    .execute();
  await db.schema.createIndex('api_tokens_admin').on('api_tokens').column('admin_id').execute();

  await withId(db, db.schema.createTable('audit_log'))
    .addColumn('at', ts, notNull)
    .addColumn('actor_kind', 'text', notNull)
    .addColumn('actor_id', 'integer')
    .addColumn('actor_label', 'text', notNull)
    .addColumn('action', 'text', notNull)
    .addColumn('entity_type', 'text', notNull)
    .addColumn('entity_id', 'text')
    .addColumn('customer_id', 'integer')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  await db.schema
    .createIndex('audit_log_entity')
    .on('audit_log')
    .columns(['entity_type', 'entity_id'])
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', notNull)
    .addColumn('updated_at', ts, notNull)
    .execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', notNull)
    .addColumn('window_started_at', 'bigint', notNull)
    .addColumn('locked_until', 'bigint')
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    'login_throttle',
    'settings',
    'audit_log',
    'api_tokens',
    'admin_sessions',
    'admins',
    'user_groups',
    'user_roles',
    'users',
    'attribute_definitions',
    'group_roles',
    'groups',
    'portal_roles',
    'contacts',
    'sites',
    'customers',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
