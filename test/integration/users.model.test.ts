import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_COLUMNS, USER_FIELDS } from '../../src/core/domain/user.js';
import { openTestDb, type TestDb } from '../support/db.js';

/**
 * The users table holds the model's values (USER_COLUMNS, core/domain/user.ts), their lookup keys
 * and the bookkeeping below, nothing else: a column added by a migration but not declared in the
 * model (so neither written, read, answered nor imported) fails here.
 */
const KEYS = ['email_key', 'username_key', 'last_name_key', 'display_name_key', 'employee_number_key'];
const BOOKKEEPING = [
  'id',
  'password_hash',
  'activated_at',
  'created_at',
  'updated_at',
  'version',
  'import_id',
  'created_by_import_id',
];

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

describe(`the one user model on ${process.env.ROSTER_TEST_DB}`, () => {
  it('declares every value column of the users table, once', async () => {
    const columns =
      db.dialect === 'postgres'
        ? (
            await sql<{ name: string }>`select column_name as name from information_schema.columns
              where table_name = 'users' and table_schema = current_schema()`.execute(db.ctx.db)
          ).rows
        : (await sql<{ name: string }>`select name from pragma_table_info('users')`.execute(db.ctx.db)).rows;
    const declared = USER_FIELDS.map((f) => USER_COLUMNS[f].column);
    expect(new Set(declared).size).toBe(declared.length);
    expect(columns.map((c) => c.name).sort()).toEqual([...declared, ...KEYS, ...BOOKKEEPING].sort());
  });
});
