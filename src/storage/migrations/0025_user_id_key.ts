import { keyType, type MigrationDb } from './helpers.js';

/**
 * `import_rows.k4`: a fourth key unique in a file, for targets with four (users: email, username,
 * employee number and Roster's user id, so that two rows naming one user by id are duplicates).
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('import_rows').addColumn('k4', keyType(db)).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('import_rows').dropColumn('k4').execute();
}
