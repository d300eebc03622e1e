import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './helpers.js';

/**
 * Contains search over users: a trigram index of each user's searchable text (email, username,
 * names, employee number, lower-cased), built in the background. Maintaining a trigram index costs
 * about ten times a plain insert, so the writes (an import's bulk inserts above all) only note
 * which users changed, through triggers in their own transaction (`user_search_pending`); the
 * search indexer (app/users/search-index.ts) then indexes them in batches. A search reads the index
 * for indexed users and the users' own columns for the few still pending, so it is always exact.
 *
 * SQLite: an FTS5 table with the trigram tokenizer (rowid = user id). PostgreSQL: a table with a
 * pg_trgm GIN index (pg_trgm is a trusted extension: the database's owner may create it).
 */
export async function up(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`CREATE TABLE user_search (user_id integer PRIMARY KEY, body text NOT NULL)`.execute(db);
    await sql`CREATE INDEX user_search_body ON user_search USING gin (body gin_trgm_ops)`.execute(db);
    await sql`CREATE TABLE user_search_pending (seq bigserial PRIMARY KEY, user_id integer NOT NULL)`.execute(
      db,
    );
    await sql`CREATE INDEX user_search_pending_user ON user_search_pending (user_id)`.execute(db);
    // Inserts and deletes by statement (an import inserts thousands of users in one): one insert
    // of all their ids. Updates by row, and only when a searched column changed.
    await sql`CREATE FUNCTION user_search_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO user_search_pending (user_id) SELECT id FROM changed_users; RETURN NULL; END $$`.execute(
      db,
    );
    await sql`CREATE FUNCTION user_search_mark_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO user_search_pending (user_id) VALUES (NEW.id); RETURN NULL; END $$`.execute(db);
    await sql`CREATE TRIGGER user_search_insert AFTER INSERT ON users REFERENCING NEW TABLE AS changed_users
      FOR EACH STATEMENT EXECUTE FUNCTION user_search_mark_new()`.execute(db);
    await sql`CREATE TRIGGER user_search_delete AFTER DELETE ON users REFERENCING OLD TABLE AS changed_users
      FOR EACH STATEMENT EXECUTE FUNCTION user_search_mark_new()`.execute(db);
    await sql`CREATE TRIGGER user_search_update AFTER UPDATE ON users FOR EACH ROW
      WHEN (OLD.email_key IS DISTINCT FROM NEW.email_key OR OLD.username_key IS DISTINCT FROM NEW.username_key
        OR OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.first_name IS DISTINCT FROM NEW.first_name
        OR OLD.last_name IS DISTINCT FROM NEW.last_name OR OLD.employee_number IS DISTINCT FROM NEW.employee_number)
      EXECUTE FUNCTION user_search_mark_row()`.execute(db);
  } else {
    // case_sensitive 1: the text is lower-cased before it is indexed, and so is every search.
    await sql`CREATE VIRTUAL TABLE user_search USING fts5(body, tokenize = 'trigram case_sensitive 1', detail = 'none')`.execute(
      db,
    );
    await sql`CREATE TABLE user_search_pending (seq integer PRIMARY KEY AUTOINCREMENT, user_id integer NOT NULL)`.execute(
      db,
    );
    await sql`CREATE INDEX user_search_pending_user ON user_search_pending (user_id)`.execute(db);
    await sql`CREATE TRIGGER user_search_insert AFTER INSERT ON users
      BEGIN INSERT INTO user_search_pending (user_id) VALUES (NEW.id); END`.execute(db);
    await sql`CREATE TRIGGER user_search_delete AFTER DELETE ON users
      BEGIN INSERT INTO user_search_pending (user_id) VALUES (OLD.id); END`.execute(db);
    await sql`CREATE TRIGGER user_search_update
      AFTER UPDATE OF email_key, username_key, display_name, first_name, last_name, employee_number ON users
      WHEN OLD.email_key IS NOT NEW.email_key OR OLD.username_key IS NOT NEW.username_key
        OR OLD.display_name IS NOT NEW.display_name OR OLD.first_name IS NOT NEW.first_name
        OR OLD.last_name IS NOT NEW.last_name OR OLD.employee_number IS NOT NEW.employee_number
      BEGIN INSERT INTO user_search_pending (user_id) VALUES (NEW.id); END`.execute(db);
  }
  // Every existing user is indexed by the indexer's first run.
  await sql`INSERT INTO user_search_pending (user_id) SELECT id FROM users ORDER BY id`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  for (const t of ['user_search_insert', 'user_search_delete', 'user_search_update']) {
    await sql`DROP TRIGGER IF EXISTS ${sql.raw(t)}${sql.raw(isPostgres(db) ? ' ON users' : '')}`.execute(db);
  }
  if (isPostgres(db)) {
    await sql`DROP FUNCTION IF EXISTS user_search_mark_new()`.execute(db);
    await sql`DROP FUNCTION IF EXISTS user_search_mark_row()`.execute(db);
  }
  await sql`DROP TABLE IF EXISTS user_search_pending`.execute(db);
  await sql`DROP TABLE IF EXISTS user_search`.execute(db);
}
