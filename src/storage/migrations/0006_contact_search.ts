import { keyType, type MigrationDb } from './helpers.js';

/**
 * Contact search: lower-cased copies of first name, last name and email (the `*_key` columns, as for
 * users), each indexed with the id so that a prefix search reads only its matches. Existing
 * contacts get their keys here, in batches, so that a large table does not load at once.
 */
export async function up(db: MigrationDb): Promise<void> {
  const key = keyType(db);
  await db.schema
    .alterTable('contacts')
    .addColumn('first_name_key', key, (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('contacts')
    .addColumn('last_name_key', key, (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('contacts').addColumn('email_key', key).execute();

  const BATCH = 1000;
  let after = 0;
  for (;;) {
    const rows: { id: number; first_name: string; last_name: string; email: string | null }[] = await db
      .selectFrom('contacts')
      .select(['id', 'first_name', 'last_name', 'email'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const r of rows) {
      await db
        .updateTable('contacts')
        .set({
          first_name_key: r.first_name.toLowerCase(),
          last_name_key: r.last_name.toLowerCase(),
          email_key: r.email === null ? null : r.email.toLowerCase(),
        })
        .where('id', '=', r.id)
        .execute();
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < BATCH) break;
    after = last.id;
  }

  for (const column of ['first_name_key', 'last_name_key', 'email_key']) {
    await db.schema.createIndex(`contacts_${column}`).on('contacts').columns([column, 'id']).execute();
  }
}

export async function down(db: MigrationDb): Promise<void> {
  for (const column of ['first_name_key', 'last_name_key', 'email_key']) {
    await db.schema.dropIndex(`contacts_${column}`).execute();
    await db.schema.alterTable('contacts').dropColumn(column).execute();
  }
}
