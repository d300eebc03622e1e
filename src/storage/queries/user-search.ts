import { type Expression, type ExpressionBuilder, type SqlBool, SqliteAdapter, sql } from 'kysely';
import { foldKey } from '../../core/domain/text.js';
import { onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import type { Database } from '../schema.js';

/**
 * The users' contains search (migration 0017): a trigram index of each user's searchable text,
 * kept up to date in the background from `user_search_pending`, which triggers on users fill in
 * the writer's own transaction. A search matches indexed users through the index and pending
 * users (written since the index last saw them) through their own columns, so it is exact at any
 * moment; only its speed depends on the indexer keeping up.
 */

/** Shorter terms have no trigram to look up: they match the start of a name, email or username. */
export const MIN_CONTAINS_LENGTH = 3;

interface SearchedColumns {
  email_key: string;
  username_key: string;
  display_name_key: string;
  last_name_key: string;
  first_name: string;
  employee_number: string | null;
}

/**
 * The columns a user is found by. The `_key` columns are already folded (foldKey); the two others
 * are lower-cased by the database for users still pending, which SQLite does for ASCII letters only:
 * until indexed, "élodie" does not find a first name "Élodie" (her display name still does).
 */
const SEARCHED = [
  'email_key',
  'username_key',
  'display_name_key',
  'last_name_key',
  'first_name',
  'employee_number',
] as const;

/** What a user is found by, folded as searches are; one line per field, so no match spans two. */
export function searchBody(u: SearchedColumns): string {
  return [
    u.email_key,
    u.username_key,
    u.display_name_key,
    u.last_name_key,
    u.first_name,
    u.employee_number ?? '',
  ]
    .map(foldKey)
    .join('\n');
}

export const isSqlite = (db: Db): boolean => db.getExecutor().adapter instanceof SqliteAdapter;

/** SQLite's trigram index serves GLOB (case-sensitive, as the folded text is); `*?[` are escaped. */
const globPattern = (term: string) => `*${term.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
/** PostgreSQL's serves LIKE; `\` is its default escape character. */
const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Users whose searchable text contains `term` (already folded, at least MIN_CONTAINS_LENGTH long).
 * `probe`: the form for checking users one by one (a walk of the sort order, see probeWindow in
 * users.ts), where looking each user up in the index beats collecting every match first.
 */
export function containsTerm(
  _eb: ExpressionBuilder<Database, 'users'>,
  term: string,
  how: { sqlite: boolean; probe: boolean },
): Expression<SqlBool> {
  const { sqlite, probe } = how;
  const pattern = sqlite ? globPattern(term) : likePattern(term);
  const op = sqlite ? sql.raw('GLOB') : sql.raw('LIKE');
  const own = (table: string) =>
    sql.join(
      SEARCHED.map((c) =>
        c.endsWith('_key')
          ? sql`${sql.ref(`${table}.${c}`)} ${op} ${pattern}`
          : sql`lower(coalesce(${sql.ref(`${table}.${c}`)}, '')) ${op} ${pattern}`,
      ),
      sql` OR `,
    );
  const indexId = sqlite ? sql.raw('rowid') : sql.raw('user_id');
  if (probe) {
    // One user at a time: their pending entry or their indexed text, each looked up by id. The
    // text is read first and matched after, so that SQLite does not hand the pattern to the
    // full-text index (which would look for every match for each user).
    return sql<SqlBool>`CASE WHEN users.id > (${WATERMARK})
        OR EXISTS (SELECT 1 FROM user_search_pending WHERE user_search_pending.user_id = users.id)
      THEN (${own('users')})
      ELSE coalesce((SELECT body FROM user_search WHERE user_search.${indexId} = users.id), '') ${op} ${pattern} END`;
  }
  // Every match at once, as one set of ids: the index's (less pending users, whose entry may be
  // stale) and the pending users' own (few: the indexer keeps up).
  return sql<SqlBool>`users.id IN (
    SELECT ${indexId} FROM user_search WHERE body ${op} ${pattern}
      AND ${indexId} NOT IN (SELECT user_id FROM user_search_pending)
    UNION
    SELECT u.id FROM users u WHERE u.id IN (SELECT user_id FROM user_search_pending) AND (${own('u')})
    UNION
    SELECT u.id FROM users u WHERE u.id > (${WATERMARK}) AND (${own('u')}))`;
}

/** The mark above which every user is pending (migration 0023): new users on SQLite. */
const WATERMARK = sql`SELECT indexed_through FROM user_search_state`;

/**
 * Indexes up to `limit` pending users in the caller's transaction: those noted in
 * `user_search_pending`, then new users above the mark, which moves past them. Answers how many it
 * took. Noted entries are removed by their own numbers, not by a range: on PostgreSQL a writer may
 * commit a lower number after a higher one was seen, and that entry must wait its turn.
 */
export async function indexPendingUsers(db: Db, limit: number): Promise<number> {
  const pending = await db
    .selectFrom('user_search_pending')
    .select(['seq', 'user_id'])
    .orderBy('seq')
    .limit(limit)
    .execute();
  const noted = [...new Set(pending.map((p) => p.user_id))];
  const notedUsers =
    noted.length === 0
      ? []
      : await db
          .selectFrom('users')
          .select(['id', ...SEARCHED])
          .where('id', 'in', noted)
          .execute();
  const mark = await db.selectFrom('user_search_state').select('indexed_through').executeTakeFirstOrThrow();
  const fresh =
    pending.length < limit
      ? await db
          .selectFrom('users')
          .select(['id', ...SEARCHED])
          .where('id', '>', mark.indexed_through)
          .orderBy('id')
          .limit(limit - pending.length)
          .execute()
      : [];
  if (pending.length === 0 && fresh.length === 0) return 0;
  const ids = [...noted, ...fresh.map((u) => u.id)];
  const users = [...notedUsers, ...fresh];
  const seqs = pending.map((p) => p.seq);
  if (isSqlite(db)) {
    const sqlite = sqliteHandle(db)!;
    await onSqliteConnection(db, () => {
      const remove = prepared(sqlite, 'DELETE FROM user_search WHERE rowid = ?');
      const insert = prepared(sqlite, 'INSERT INTO user_search (rowid, body) VALUES (?, ?)');
      for (const id of ids) remove.run(id);
      for (const u of users) insert.run(u.id, searchBody(u));
    });
  } else {
    await pgQuery(db, 'DELETE FROM user_search WHERE user_id = ANY($1::int[])', [ids]);
    await pgQuery(db, 'INSERT INTO user_search (user_id, body) SELECT * FROM unnest($1::int[], $2::text[])', [
      users.map((u) => u.id),
      users.map(searchBody),
    ]);
  }
  if (seqs.length > 0) await db.deleteFrom('user_search_pending').where('seq', 'in', seqs).execute();
  const last = fresh[fresh.length - 1];
  if (last) await db.updateTable('user_search_state').set({ indexed_through: last.id }).execute();
  return pending.length + fresh.length;
}

/** Whether any user waits to be indexed. */
export async function hasPendingUsers(db: Db): Promise<boolean> {
  const row = await db.selectFrom('user_search_pending').select('seq').limit(1).executeTakeFirst();
  if (row !== undefined) return true;
  const fresh = await db
    .selectFrom('users')
    .select('id')
    .where('id', '>', (eb) => eb.selectFrom('user_search_state').select('indexed_through'))
    .limit(1)
    .executeTakeFirst();
  return fresh !== undefined;
}

/**
 * On PostgreSQL, one indexer at a time across processes: a lock held until the transaction ends,
 * taken without waiting (another process is already indexing). SQLite's writes are serial anyway.
 */
export async function takeIndexerLock(db: Db): Promise<boolean> {
  if (isSqlite(db)) return true;
  const r = await sql<{
    ok: boolean;
  }>`SELECT pg_try_advisory_xact_lock(hashtext('roster.user_search')) AS ok`.execute(db);
  return r.rows[0]?.ok === true;
}
