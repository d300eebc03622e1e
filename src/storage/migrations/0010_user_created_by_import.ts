import { sql } from 'kysely';
import type { MigrationDb } from './helpers.js';

/**
 * The import that created a user, kept apart from `import_id` (the last import that changed them):
 * a user an import only updated was shown as created by it. Filled for existing users from the
 * imports' restore points.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('users').addColumn('created_by_import_id', 'integer').execute();
  await sql`update users set created_by_import_id = (
      select min(c.import_id) from import_changes c where c.user_id = users.id and c.change = 'created'
    )`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('users').dropColumn('created_by_import_id').execute();
}
