import { sql } from 'kysely';
import { onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';

/**
 * Bulk fixes of staged rows: each changes one column of every row it applies to in one statement
 * (on a 100,000-row import a row-by-row fix would be 100,000 round trips), and answers the numbers
 * of the rows it changed, to be checked again. Cells are a JSON array of text (`import_rows.cells`).
 */

/** The SQL text of the cell at `index` of a row's cells, '' when the row is shorter. */
const cellSqlite = (index: number) => `coalesce(json_extract(cells, '$[${index}]'), '')`;
const cellPostgres = (index: number) => `coalesce(cells::jsonb ->> ${index}, '')`;

/** Rows with a problem on this column, as the stored problems spell it (`"column":"Site"`). */
function columnPattern(columnName: string): string {
  const quoted = JSON.stringify({ column: columnName }).slice(1, -1);
  return `%${quoted.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface ValueCount {
  value: string;
  count: number;
}

/**
 * The distinct values of a column in the rows that have a problem on it (an error), with how many
 * rows hold each, most frequent first: what a value map is built from.
 */
export async function invalidValues(
  db: Db,
  importId: number,
  column: { index: number; name: string },
  limit: number,
): Promise<{ values: ValueCount[]; distinct: number }> {
  const sqlite = sqliteHandle(db) !== null;
  const cell = sql.raw(sqlite ? cellSqlite(column.index) : cellPostgres(column.index));
  const pattern = columnPattern(column.name);
  const grouped = sql<{ value: string; n: number }>`select ${cell} as value, count(*) as n from import_rows
    where import_id = ${importId} and valid = 0 and problems like ${pattern} escape '\\'
    group by ${cell}`;
  const [rows, total] = await Promise.all([
    sql<{
      value: string;
      n: number;
    }>`select value, n from (${grouped}) g order by n desc, value limit ${limit}`.execute(db),
    sql<{ d: number }>`select count(*) as d from (${grouped}) g`.execute(db),
  ]);
  return {
    values: rows.rows.map((r) => ({ value: r.value, count: Number(r.n) })),
    distinct: Number(total.rows[0]?.d ?? 0),
  };
}

/**
 * Replaces whole cells of a column by a value map (`from` exactly → `to`), in every row or in one.
 * Answers the numbers of the rows changed.
 */
export async function mapColumnValues(
  db: Db,
  importId: number,
  index: number,
  pairs: readonly { from: string; to: string }[],
  onlyRow?: number,
): Promise<number[]> {
  if (pairs.length === 0) return [];
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    const values = pairs.map(() => '(?, ?)').join(', ');
    const text =
      `with m(f, t) as (values ${values}) update import_rows set cells = json_set(cells, '$[${index}]', m.t) ` +
      `from m where import_id = ? and ${cellSqlite(index)} = m.f and m.f <> m.t` +
      `${onlyRow === undefined ? '' : ' and row_number = ?'} returning row_number`;
    const params: unknown[] = pairs.flatMap((p) => [p.from, p.to]);
    params.push(importId);
    if (onlyRow !== undefined) params.push(onlyRow);
    // Prepared anew: the text depends on the map's size, which is seldom the same twice.
    const rows = await onSqliteConnection(db, () => sqlite.prepare(text).all(...params));
    return (rows as { row_number: number }[]).map((r) => r.row_number);
  }
  const text =
    `update import_rows r set cells = jsonb_set(r.cells::jsonb, array['${index}'], to_jsonb(m.t))::text ` +
    `from unnest($2::text[], $3::text[]) as m(f, t) where r.import_id = $1 and ` +
    `coalesce(r.cells::jsonb ->> ${index}, '') = m.f and m.f <> m.t` +
    `${onlyRow === undefined ? '' : ' and r.row_number = $4'} returning r.row_number`;
  const params: unknown[] = [importId, pairs.map((p) => p.from), pairs.map((p) => p.to)];
  if (onlyRow !== undefined) params.push(onlyRow);
  const rows = await pgQuery<{ row_number: number }>(db, text, params);
  return rows.map((r) => r.row_number);
}

/** Replaces every occurrence of `find` (case-sensitive text) in a column's cells. */
export async function replaceInColumn(
  db: Db,
  importId: number,
  index: number,
  find: string,
  replacement: string,
): Promise<number[]> {
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    const text =
      `update import_rows set cells = json_set(cells, '$[${index}]', replace(${cellSqlite(index)}, ?, ?)) ` +
      `where import_id = ? and instr(${cellSqlite(index)}, ?) > 0 returning row_number`;
    const rows = await onSqliteConnection(db, () =>
      prepared(sqlite, text).all(find, replacement, importId, find),
    );
    return (rows as { row_number: number }[]).map((r) => r.row_number);
  }
  const text =
    `update import_rows set cells = jsonb_set(cells::jsonb, array['${index}'], ` +
    `to_jsonb(replace(${cellPostgres(index)}, $2, $3)))::text ` +
    `where import_id = $1 and strpos(${cellPostgres(index)}, $2) > 0 returning row_number`;
  const rows = await pgQuery<{ row_number: number }>(db, text, [importId, find, replacement]);
  return rows.map((r) => r.row_number);
}

export interface FixRecord {
  id: number;
  kind: string;
  columnIndex: number;
  column: string;
  details: Record<string, unknown>;
  rowsChanged: number;
  createdBy: string;
  createdAt: string;
}

export async function insertFix(db: Db, importId: number, fix: Omit<FixRecord, 'id'>): Promise<number> {
  const r = await db
    .insertInto('import_fixes')
    .values({
      import_id: importId,
      kind: fix.kind,
      column_index: fix.columnIndex,
      column_name: fix.column,
      details: JSON.stringify(fix.details),
      rows_changed: fix.rowsChanged,
      created_by_label: fix.createdBy,
      created_at: fix.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function listFixes(db: Db, importId: number): Promise<FixRecord[]> {
  const rows = await db
    .selectFrom('import_fixes')
    .selectAll()
    .where('import_id', '=', importId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    columnIndex: r.column_index,
    column: r.column_name,
    details: JSON.parse(r.details) as Record<string, unknown>,
    rowsChanged: r.rows_changed,
    createdBy: r.created_by_label,
    createdAt: r.created_at,
  }));
}

/**
 * The invalid rows with a problem on this column: what creating the missing site, role or group
 * named there may mend, to be checked again.
 */
export async function rowsWithProblemOn(db: Db, importId: number, columnName: string): Promise<number[]> {
  const rows = await sql<{ row_number: number }>`select row_number from import_rows
    where import_id = ${importId} and valid = 0 and problems like ${columnPattern(columnName)} escape '\\'
    order by row_number`.execute(db);
  return rows.rows.map((r) => Number(r.row_number));
}
