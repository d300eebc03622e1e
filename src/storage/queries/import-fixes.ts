import { sql } from 'kysely';
import { onSqliteConnection, pgQuery, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import { type CellsRow, readStagedRowsByNumber } from './import-rows.js';

/**
 * Bulk fixes of staged rows: the rows a fix changes in one column are found a batch at a time by
 * one statement each, with their cells as changed (on a 100,000-row import a row-by-row fix would
 * be 100,000 round trips); they are checked again and written once. Cells are a JSON array of text
 * (`import_rows.cells`).
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

/** What a bulk fix does to the cells of one column. */
export type CellChange =
  /** Whole cells: each `from` exactly becomes its `to`; in every row, or only in `onlyRow`. */
  | { kind: 'map'; pairs: readonly { from: string; to: string }[]; onlyRow?: number }
  /** Every occurrence of `find` within the cells becomes `replacement`. */
  | { kind: 'replace'; find: string; replacement: string };

/** The SQL that finds the rows a change alters in one column, for both databases, and its parameters after the fixed ones. */
function changeSql(index: number, change: CellChange, sqlite: boolean, first: number) {
  if (sqlite) {
    const cell = `coalesce(json_extract(r.cells, '$[${index}]'), '')`;
    if (change.kind === 'map') {
      return {
        with: `with m(f, t) as (values ${change.pairs.map(() => '(?, ?)').join(', ')}) `,
        from: `import_rows r join m on ${cell} = m.f and m.f <> m.t`,
        where: change.onlyRow === undefined ? '' : ' and r.row_number = ?',
        withParams: change.pairs.flatMap((p) => [p.from, p.to]) as unknown[],
        params: change.onlyRow === undefined ? [] : [change.onlyRow],
      };
    }
    return {
      with: '',
      from: 'import_rows r',
      where: ` and instr(${cell}, ?) > 0`,
      withParams: [] as unknown[],
      params: [change.find],
    };
  }
  const cell = `coalesce(r.cells::jsonb ->> ${index}, '')`;
  if (change.kind === 'map') {
    return {
      with: '',
      from: `import_rows r join unnest($${first}::text[], $${first + 1}::text[]) as m(f, t) on ${cell} = m.f and m.f <> m.t`,
      where: change.onlyRow === undefined ? '' : ` and r.row_number = $${first + 2}`,
      withParams: [] as unknown[],
      params: [
        change.pairs.map((p) => p.from),
        change.pairs.map((p) => p.to),
        ...(change.onlyRow === undefined ? [] : [change.onlyRow]),
      ] as unknown[],
    };
  }
  return {
    with: '',
    from: 'import_rows r',
    where: ` and strpos(${cell}, $${first}) > 0`,
    withParams: [] as unknown[],
    params: [change.find] as unknown[],
  };
}

/**
 * The numbers of the rows `change` alters, in file order: one statement over the import's staged
 * rows, nothing written.
 */
export async function rowsChanging(
  db: Db,
  importId: number,
  index: number,
  change: CellChange,
): Promise<number[]> {
  if (change.kind === 'map' && change.pairs.length === 0) return [];
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    const c = changeSql(index, change, true, 0);
    const text = `${c.with}select r.row_number from ${c.from} where r.import_id = ?${c.where} order by r.row_number`;
    const rows = await onSqliteConnection(db, () =>
      sqlite.prepare(text).all(...c.withParams, importId, ...c.params),
    );
    return (rows as { row_number: number }[]).map((r) => r.row_number);
  }
  const c = changeSql(index, change, false, 2);
  const text = `select r.row_number from ${c.from} where r.import_id = $1${c.where} order by r.row_number`;
  const rows = await pgQuery<{ row_number: number }>(db, text, [importId, ...c.params]);
  return rows.map((r) => r.row_number);
}

/** A cell as `change` makes it, or undefined when the change leaves it as it is. */
export function changedCell(cell: string, change: CellChange): string | undefined {
  if (change.kind === 'replace') {
    return change.find !== '' && cell.includes(change.find)
      ? cell.split(change.find).join(change.replacement)
      : undefined;
  }
  const pair = change.pairs.find((p) => p.from === cell && p.from !== p.to);
  return pair?.to;
}

/**
 * These rows (a batch of what rowsChanging answered) with their cells as `change` makes them and
 * their stored problems, nothing written: the fix then writes each once, new cells with its verdict
 * (updateStagedVerdicts with cells), rather than an UPDATE of the cells and then one of the
 * verdicts, which on PostgreSQL made two new versions of every changed row. The change is applied
 * here rather than in SQL: a short row (the reader trims trailing empty cells) is padded to the
 * column, where `jsonb_set` would append the value at the row's end and `json_set` drop it.
 */
export async function changedCells(
  db: Db,
  importId: number,
  index: number,
  change: CellChange,
  rowNumbers: readonly number[],
): Promise<CellsRow[]> {
  const rows = await readStagedRowsByNumber(db, importId, rowNumbers);
  const changed: CellsRow[] = [];
  for (const row of rows) {
    if (change.kind === 'map' && change.onlyRow !== undefined && row.row !== change.onlyRow) continue;
    const next = changedCell(row.cells[index] ?? '', change);
    if (next === undefined) continue;
    const cells = [...row.cells];
    while (cells.length <= index) cells.push('');
    cells[index] = next;
    changed.push({ ...row, cells });
  }
  return changed;
}
