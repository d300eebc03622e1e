import type { MigrationDb } from './helpers.js';

/**
 * `import_rows.changes`: an update's diff (JSON `FieldChange[]`), staged with the row's verdict and
 * replaced by what the commit changed. `imports.commit_stop_row`: the last row a commit of the first
 * N rows writes (`firstRows`); null: every row.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('import_rows').addColumn('changes', 'text').execute();
  await db.schema.alterTable('imports').addColumn('commit_stop_row', 'integer').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('commit_stop_row').execute();
  await db.schema.alterTable('import_rows').dropColumn('changes').execute();
}
