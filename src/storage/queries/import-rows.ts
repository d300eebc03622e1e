import { sql } from 'kysely';
import type { RowProblem } from '../../core/import/problems.js';
import type { ResultAction, RowResult } from '../../core/import/target.js';
import type { StagedRow } from '../../core/import/validate.js';
import type { Db } from '../database.js';

/** Staged rows of an import: written in batches, paged and filtered for review, marked at commit. */
const KEY_COLUMNS = ['k1', 'k2', 'k3'] as const;
export type KeyColumn = (typeof KEY_COLUMNS)[number];
export const keyColumn = (index: number): KeyColumn => KEY_COLUMNS[index]!;

function verdictColumns(r: StagedRow) {
  const errors = r.problems.filter((p) => p.severity === 'error');
  return {
    k1: r.keys[0] ?? null,
    k2: r.keys[1] ?? null,
    k3: r.keys[2] ?? null,
    valid: errors.length === 0 ? 1 : 0,
    action: r.action,
    problems: r.problems.length > 0 ? JSON.stringify(r.problems) : null,
    codes: errors.length > 0 ? `,${[...new Set(errors.map((p) => p.code))].join(',')},` : null,
  };
}

// 10 values a row: batches of 1,000 stay under both databases' limits on bound parameters.
const INSERT_CHUNK = 1000;

export async function insertStagedRows(db: Db, importId: number, rows: readonly StagedRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    await db
      .insertInto('import_rows')
      .values(
        chunk.map((r) => ({
          import_id: importId,
          row_number: r.row,
          cells: JSON.stringify(r.cells),
          ...verdictColumns(r),
        })),
      )
      .execute();
  }
}

export async function updateStagedVerdicts(
  db: Db,
  importId: number,
  rows: readonly StagedRow[],
  withCells = false,
): Promise<void> {
  for (const r of rows) {
    await db
      .updateTable('import_rows')
      .set({ ...verdictColumns(r), ...(withCells && { cells: JSON.stringify(r.cells) }) })
      .where('import_id', '=', importId)
      .where('row_number', '=', r.row)
      .execute();
  }
}

export async function readStagedCells(
  db: Db,
  importId: number,
  afterRow: number,
  limit: number,
  onlyValid = false,
): Promise<{ row: number; cells: string[] }[]> {
  let q = db
    .selectFrom('import_rows')
    .select(['row_number', 'cells'])
    .where('import_id', '=', importId)
    .where('row_number', '>', afterRow);
  if (onlyValid) q = q.where('valid', '=', 1).where('action', 'is not', null);
  const rows = await q.orderBy('row_number').limit(limit).execute();
  return rows.map((r) => ({ row: r.row_number, cells: JSON.parse(r.cells) as string[] }));
}

export interface StagedRowView {
  row: number;
  cells: string[];
  valid: boolean;
  action: string | null;
  problems: RowProblem[];
  result: ResultAction | null;
  resultId: number | null;
  resultMessage: string | null;
}

export type RowFilter =
  | { kind: 'all' }
  | { kind: 'valid' }
  | { kind: 'invalid' }
  | { kind: 'code'; code: string };

export async function pageStagedRows(
  db: Db,
  importId: number,
  filter: RowFilter,
  page: { afterRow?: number; offset?: number; limit: number },
): Promise<StagedRowView[]> {
  let q = db.selectFrom('import_rows').selectAll().where('import_id', '=', importId);
  if (filter.kind === 'valid') q = q.where('valid', '=', 1);
  if (filter.kind === 'invalid') q = q.where('valid', '=', 0);
  if (filter.kind === 'code') q = q.where('codes', 'like', `%,${filter.code.replace(/[%_,]/g, '')},%`);
  if (page.afterRow !== undefined) q = q.where('row_number', '>', page.afterRow);
  q = q.orderBy('row_number').limit(page.limit);
  if (page.offset) q = q.offset(page.offset);
  const rows = await q.execute();
  return rows.map((r) => ({
    row: r.row_number,
    cells: JSON.parse(r.cells) as string[],
    valid: r.valid === 1,
    action: r.action,
    problems: r.problems ? (JSON.parse(r.problems) as RowProblem[]) : [],
    result: r.result as ResultAction | null,
    resultId: r.result_id,
    resultMessage: r.result_message,
  }));
}

export async function findStagedRow(
  db: Db,
  importId: number,
  row: number,
): Promise<StagedRowView | undefined> {
  const [found] = await pageStagedRows(db, importId, { kind: 'all' }, { afterRow: row - 1, limit: 1 });
  return found?.row === row ? found : undefined;
}

export async function countStagedRows(db: Db, importId: number, filter: RowFilter): Promise<number> {
  let q = db
    .selectFrom('import_rows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('import_id', '=', importId);
  if (filter.kind === 'valid') q = q.where('valid', '=', 1);
  if (filter.kind === 'invalid') q = q.where('valid', '=', 0);
  if (filter.kind === 'code') q = q.where('codes', 'like', `%,${filter.code.replace(/[%_,]/g, '')},%`);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export interface StagedCounts {
  total: number;
  valid: number;
  invalid: number;
  planned: Record<string, number>;
  errorCodes: Record<string, number>;
}

export async function stagedCounts(db: Db, importId: number): Promise<StagedCounts> {
  const byVerdict = await db
    .selectFrom('import_rows')
    .select(['valid', 'action', (eb) => eb.fn.countAll<number>().as('n')])
    .where('import_id', '=', importId)
    .groupBy(['valid', 'action'])
    .execute();
  const byCodes = await db
    .selectFrom('import_rows')
    .select(['codes', (eb) => eb.fn.countAll<number>().as('n')])
    .where('import_id', '=', importId)
    .where('codes', 'is not', null)
    .groupBy('codes')
    .execute();
  const out: StagedCounts = { total: 0, valid: 0, invalid: 0, planned: {}, errorCodes: {} };
  for (const r of byVerdict) {
    const n = Number(r.n);
    out.total += n;
    if (r.valid === 1) out.valid += n;
    else out.invalid += n;
    if (r.action) out.planned[r.action] = (out.planned[r.action] ?? 0) + n;
  }
  for (const r of byCodes) {
    for (const code of (r.codes ?? '').split(',').filter(Boolean)) {
      out.errorCodes[code] = (out.errorCodes[code] ?? 0) + Number(r.n);
    }
  }
  return out;
}

/** Rows sharing a unique-in-file value with another row, grouped, first row first. */
export async function duplicateRows(
  db: Db,
  importId: number,
  column: KeyColumn,
  values?: readonly string[],
): Promise<{ key: string; row: number }[]> {
  if (values && values.length === 0) return [];
  const rows = await db
    .selectFrom('import_rows')
    .select([sql<string>`${sql.ref(column)}`.as('key'), 'row_number'])
    .where('import_id', '=', importId)
    .where(column, 'in', (eb) => {
      let sub = eb
        .selectFrom('import_rows')
        .select(column)
        .where('import_id', '=', importId)
        .where(column, 'is not', null);
      if (values) sub = sub.where(column, 'in', values);
      return sub.groupBy(column).having((h) => h.fn.countAll(), '>', 1);
    })
    .orderBy(column)
    .orderBy('row_number')
    .execute();
  return rows.map((r) => ({ key: r.key, row: r.row_number }));
}

/** Rows holding one of `values` in a key column (to re-check after a fix changed a key). */
export async function rowsWithKeys(
  db: Db,
  importId: number,
  column: KeyColumn,
  values: readonly string[],
): Promise<number[]> {
  if (values.length === 0) return [];
  const rows = await db
    .selectFrom('import_rows')
    .select('row_number')
    .where('import_id', '=', importId)
    .where(column, 'in', values)
    .execute();
  return rows.map((r) => r.row_number);
}

export async function setRowProblems(
  db: Db,
  importId: number,
  row: number,
  problems: RowProblem[],
  action: string | null,
): Promise<void> {
  const errors = problems.filter((p) => p.severity === 'error');
  await db
    .updateTable('import_rows')
    .set({
      problems: problems.length > 0 ? JSON.stringify(problems) : null,
      codes: errors.length > 0 ? `,${[...new Set(errors.map((p) => p.code))].join(',')},` : null,
      valid: errors.length === 0 ? 1 : 0,
      action: errors.length === 0 ? action : null,
    })
    .where('import_id', '=', importId)
    .where('row_number', '=', row)
    .execute();
}

export async function setRowResults(db: Db, importId: number, results: readonly RowResult[]): Promise<void> {
  for (const r of results) {
    await db
      .updateTable('import_rows')
      .set({ result: r.action, result_id: r.entityId, result_message: r.message })
      .where('import_id', '=', importId)
      .where('row_number', '=', r.row)
      .execute();
  }
}

export async function resultCounts(db: Db, importId: number): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('import_rows')
    .select(['result', (eb) => eb.fn.countAll<number>().as('n')])
    .where('import_id', '=', importId)
    .where('result', 'is not', null)
    .groupBy('result')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.result as string, Number(r.n)]));
}
