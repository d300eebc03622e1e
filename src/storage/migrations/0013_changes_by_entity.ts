import { sql } from 'kysely';
import { type MigrationDb, notNull } from './helpers.js';

/**
 * Restore points name what they recorded by entity type and id instead of a user id, so that every
 * import target keeps its own restore point in one table: the existing rows become entity type
 * 'user'. Rollback reports name what they left alone the same way (`entityType`, `entityId`,
 * `label`) instead of `userId` and `email`.
 */
export async function up(db: MigrationDb): Promise<void> {
  await createChanges(db, 'import_changes_next', true);
  await sql`insert into import_changes_next (import_id, entity_type, entity_id, change, before, version_after, reverted)
    select import_id, 'user', user_id, change, before, version_after, reverted from import_changes`.execute(
    db,
  );
  await db.schema.dropIndex('import_changes_user').execute();
  await db.schema.dropTable('import_changes').execute();
  await db.schema.alterTable('import_changes_next').renameTo('import_changes').execute();
  // A user's history finds the imports that wrote the user (its key starts with the import).
  await db.schema
    .createIndex('import_changes_entity')
    .on('import_changes')
    .columns(['entity_type', 'entity_id', 'import_id'])
    .execute();
  await rewriteReports(db, (c) => {
    if (!('userId' in c)) return c;
    const { userId, email, ...rest } = c;
    return { entityType: 'user', entityId: userId, label: email ?? null, ...rest };
  });
}

/** Back to restore points of users only: those of any other entity type have no place there. */
export async function down(db: MigrationDb): Promise<void> {
  await createChanges(db, 'import_changes_previous', false);
  await sql`insert into import_changes_previous (import_id, user_id, change, before, version_after, reverted)
    select import_id, entity_id, change, before, version_after, reverted from import_changes
    where entity_type = 'user'`.execute(db);
  await db.schema.dropIndex('import_changes_entity').execute();
  await db.schema.dropTable('import_changes').execute();
  await db.schema.alterTable('import_changes_previous').renameTo('import_changes').execute();
  await db.schema
    .createIndex('import_changes_user')
    .on('import_changes')
    .columns(['user_id', 'import_id'])
    .execute();
  await rewriteReports(db, (c) => {
    if (!('entityId' in c)) return c;
    const { entityType: _type, entityId, label, ...rest } = c;
    return { userId: entityId, email: label ?? null, ...rest };
  });
}

/** import_changes keyed by entity (`next`) or, as before, by user. */
async function createChanges(db: MigrationDb, name: string, byEntity: boolean): Promise<void> {
  const table = db.schema
    .createTable(name)
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'));
  const keyed = byEntity
    ? table
        .addColumn('entity_type', 'text', notNull)
        .addColumn('entity_id', 'integer', notNull)
        .addPrimaryKeyConstraint('import_changes_entity_pk', ['import_id', 'entity_type', 'entity_id'])
    : table
        .addColumn('user_id', 'integer', notNull)
        .addPrimaryKeyConstraint('import_changes_pk', ['import_id', 'user_id']);
  await keyed
    .addColumn('change', 'text', notNull)
    .addColumn('before', 'text')
    .addColumn('version_after', 'integer', notNull)
    .addColumn('reverted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

type Conflict = Record<string, unknown>;

/** Rewrites every stored rollback report's conflicts (few rows: one per import rolled back). */
async function rewriteReports(db: MigrationDb, rewrite: (c: Conflict) => Conflict): Promise<void> {
  const rows = await db
    .selectFrom('imports')
    .select(['id', 'rollback'])
    .where('rollback', 'is not', null)
    .execute();
  for (const row of rows as { id: number; rollback: string }[]) {
    const report = JSON.parse(row.rollback) as { conflicts?: Conflict[] };
    if (!Array.isArray(report.conflicts)) continue;
    report.conflicts = report.conflicts.map(rewrite);
    await db
      .updateTable('imports')
      .set({ rollback: JSON.stringify(report) })
      .where('id', '=', row.id)
      .execute();
  }
}
