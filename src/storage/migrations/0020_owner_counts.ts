import { sql } from 'kysely';
import type { MigrationDb } from './helpers.js';

/**
 * Each owner's row counts kept in `import_owners` (`row_count`, `valid_count`), written when the rows are
 * validated or fixed: the import view, read by every poll during a commit, reads them instead of
 * counting the staged rows again. Imports staged before this get their counts here.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .alterTable('import_owners')
    .addColumn('row_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('import_owners')
    .addColumn('valid_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`
    insert into import_owners (import_id, owner_id, included, state, first_row, job, result, row_count, valid_count)
    select import_id, owner_id, 1, 'pending', min(row_number), 0, null, count(*), sum(valid)
    from import_rows where owner_id is not null group by import_id, owner_id
    on conflict (import_id, owner_id) do update set
      row_count = excluded.row_count, valid_count = excluded.valid_count, first_row = excluded.first_row`.execute(
    db,
  );
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('import_owners').dropColumn('valid_count').execute();
  await db.schema.alterTable('import_owners').dropColumn('row_count').execute();
}
