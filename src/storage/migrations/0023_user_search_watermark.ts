import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './helpers.js';

/**
 * New users wait for the contains-search index without a row each in `user_search_pending` on
 * SQLite. Its insert trigger doubled the CPU time of an import's users insert (a second B-tree and
 * its sequence written per user, under the same small page cache as every users index): 6.5–7.4 s
 * against 3.8–4.2 s for 50,000 users. On SQLite every user above `indexed_through` is pending
 * instead: ids only grow (AUTOINCREMENT) and write transactions run one at a time, so a user below
 * the mark was committed before the indexer moved it. On PostgreSQL a lower id can commit after a
 * higher one was seen, so inserts stay noted by their statement-level trigger (one insert per
 * statement, cheap) and the mark stays at the top of the id range, where no user is.
 */
export const NO_USER_ABOVE = 2_147_483_647;

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('user_search_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('indexed_through', 'integer', (c) => c.notNull())
    .execute();
  if (isPostgres(db)) {
    await sql`INSERT INTO user_search_state (id, indexed_through) VALUES (1, ${NO_USER_ABOVE})`.execute(db);
    return;
  }
  await sql`DROP TRIGGER user_search_insert`.execute(db);
  // Users created so far are indexed or have their pending row already.
  await sql`INSERT INTO user_search_state (id, indexed_through) SELECT 1, coalesce(max(id), 0) FROM users`.execute(
    db,
  );
}

export async function down(db: MigrationDb): Promise<void> {
  if (!isPostgres(db)) {
    await sql`INSERT INTO user_search_pending (user_id)
      SELECT id FROM users WHERE id > (SELECT indexed_through FROM user_search_state) ORDER BY id`.execute(
      db,
    );
    await sql`CREATE TRIGGER user_search_insert AFTER INSERT ON users
      BEGIN INSERT INTO user_search_pending (user_id) VALUES (NEW.id); END`.execute(db);
  }
  await db.schema.dropTable('user_search_state').execute();
}
