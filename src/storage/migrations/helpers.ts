import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Expression,
  type Kysely,
  PostgresAdapter,
  sql,
} from 'kysely';

/**
 * The few places where SQLite and PostgreSQL spell a column differently. Migrations use these so
 * that each migration reads once and does the same thing on both.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema as it was then
export type MigrationDb = Kysely<any>;

export const isPostgres = (db: MigrationDb): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

// biome-ignore lint/suspicious/noExplicitAny: table builders are untyped in migrations
type Table = CreateTableBuilder<any, any>;

/** An integer key that is never reused, even after the newest row is deleted. */
export function withId(db: MigrationDb, table: Table): Table {
  return isPostgres(db)
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export function timestampType(db: MigrationDb): 'timestamptz' | 'text' {
  return isPostgres(db) ? 'timestamptz' : 'text';
}

export const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/**
 * Text compared byte by byte: lookup keys and prefix search must not depend on the server's locale
 * (SQLite's default collation already is binary).
 */
export function keyType(db: MigrationDb): 'text' | Expression<unknown> {
  return isPostgres(db) ? sql`text collate "C"` : 'text';
}
