import { type ExpressionBuilder, sql } from 'kysely';
import type { FieldChange } from '../../core/domain/changes.js';
import type { RowProblem } from '../../core/import/problems.js';
import type { ResultAction, RowResult } from '../../core/import/target.js';
import type { StagedRow } from '../../core/import/validate.js';
import { columnsOf, onSqliteConnection, pgQuery, prepared, sqliteHandle } from '../bulk.js';
import type { Db } from '../database.js';
import type { Database } from '../schema.js';
import { fieldChanges, readJson, readStringList, rowProblems } from '../stored-json.js';

/** Staged rows of an import: written in batches, paged and filtered for review, marked at commit. */
const KEY_COLUMNS = ['k1', 'k2', 'k3', 'k4'] as const;
export type KeyColumn = (typeof KEY_COLUMNS)[number];
export const keyColumn = (index: number): KeyColumn => KEY_COLUMNS[index]!;

/**
 * A row's verdict as the values of the columns k1, k2, k3, k4, valid, action, problems, codes,
 * owner_id, owner_value, changes, in that order: the one list every insert and update of staged
 * rows writes.
 */
function verdictValues(r: StagedRow): unknown[] {
  if (r.keys.length > KEY_COLUMNS.length) {
    // A target declaring more fields unique in a file than staging keeps would lose the rest unseen.
    throw new Error(`A staged row holds ${r.keys.length} unique keys; staging keeps ${KEY_COLUMNS.length}.`);
  }
  const errors = r.problems.filter((p) => p.severity === 'error');
  return [
    r.keys[0] ?? null,
    r.keys[1] ?? null,
    r.keys[2] ?? null,
    r.keys[3] ?? null,
    errors.length === 0 ? 1 : 0,
    r.action,
    r.problems.length > 0 ? JSON.stringify(r.problems) : null,
    errors.length > 0 ? `,${[...new Set(errors.map((p) => p.code))].join(',')},` : null,
    r.group ?? null,
    r.group === null || r.group === undefined ? (r.groupValue ?? null) : null,
    r.changes ? JSON.stringify(r.changes) : null,
  ];
}

/** Rows of values as one array per column, for PostgreSQL's `unnest`. */
const byColumn = (rows: unknown[][]): unknown[][] =>
  Array.from({ length: rows[0]?.length ?? 0 }, (_, c) => rows.map((r) => r[c]));

const INSERT_SQLITE =
  'insert into import_rows (import_id, row_number, cells, k1, k2, k3, k4, valid, action, problems, codes, owner_id, owner_value, changes) ' +
  'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_POSTGRES =
  'insert into import_rows (import_id, row_number, cells, k1, k2, k3, k4, valid, action, problems, codes, owner_id, owner_value, changes) ' +
  'select $1::int4, * from unnest($2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int4[], ' +
  '$9::text[], $10::text[], $11::text[], $12::int4[], $13::text[], $14::text[])';

/** Stages a batch: a prepared statement per row on SQLite, one statement on PostgreSQL (bulk.ts). */
export async function insertStagedRows(db: Db, importId: number, rows: readonly StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = (r: StagedRow) => [r.row, JSON.stringify(r.cells), ...verdictValues(r)];
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    const insert = prepared(sqlite, INSERT_SQLITE);
    await onSqliteConnection(db, () => {
      for (const r of rows) insert.run(importId, ...values(r));
    });
    return;
  }
  const columns = byColumn(rows.map(values));
  await pgQuery(db, INSERT_POSTGRES, [importId, ...columns]);
}

const VERDICT_SQLITE =
  'update import_rows set k1 = ?, k2 = ?, k3 = ?, k4 = ?, valid = ?, action = ?, problems = ?, codes = ?, ' +
  'owner_id = ?, owner_value = ?, changes = ? where import_id = ? and row_number = ?';
const VERDICT_CELLS_SQLITE =
  'update import_rows set k1 = ?, k2 = ?, k3 = ?, k4 = ?, valid = ?, action = ?, problems = ?, codes = ?, ' +
  'owner_id = ?, owner_value = ?, changes = ?, cells = ? where import_id = ? and row_number = ?';
const VERDICT_POSTGRES =
  'update import_rows r set k1 = v.k1, k2 = v.k2, k3 = v.k3, k4 = v.k4, valid = v.valid, action = v.action, ' +
  'problems = v.problems, codes = v.codes, owner_id = v.owner_id, owner_value = v.owner_value, ' +
  'changes = v.changes, cells = coalesce(v.cells, r.cells) ' +
  'from unnest($2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int4[], $8::text[], $9::text[], ' +
  '$10::text[], $11::int4[], $12::text[], $13::text[], $14::text[]) ' +
  'as v(row_number, k1, k2, k3, k4, valid, action, problems, codes, owner_id, owner_value, changes, cells) ' +
  'where r.import_id = $1 and r.row_number = v.row_number';

export async function updateStagedVerdicts(
  db: Db,
  importId: number,
  rows: readonly StagedRow[],
  withCells = false,
): Promise<void> {
  if (rows.length === 0) return;
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    const update = prepared(sqlite, withCells ? VERDICT_CELLS_SQLITE : VERDICT_SQLITE);
    await onSqliteConnection(db, () => {
      for (const r of rows) {
        const cells = withCells ? [JSON.stringify(r.cells)] : [];
        update.run(...verdictValues(r), ...cells, importId, r.row);
      }
    });
    return;
  }
  const values = (r: StagedRow) => [r.row, ...verdictValues(r), withCells ? JSON.stringify(r.cells) : null];
  const columns = byColumn(rows.map(values));
  await pgQuery(db, VERDICT_POSTGRES, [importId, ...columns]);
}

export type CellsRow = { row: number; cells: string[]; readProblems?: RowProblem[] };

export async function readStagedCells(
  db: Db,
  importId: number,
  afterRow: number,
  limit: number,
  onlyValid = false,
  owner?: number,
  throughRow?: number | null,
): Promise<CellsRow[]> {
  let q = db
    .selectFrom('import_rows')
    .select(['row_number', 'cells', 'problems'])
    .where('import_id', '=', importId)
    .where('row_number', '>', afterRow);
  // A commit of the first N rows (`firstRows`) reads no further than the last of them.
  if (throughRow !== undefined && throughRow !== null) q = q.where('row_number', '<=', throughRow);
  if (onlyValid) q = q.where('valid', '=', 1).where('action', 'is not', null);
  // One owner's rows not written yet: an owner's commit resumes on what it has not done.
  if (owner !== undefined) q = q.where('owner_id', '=', owner).where('result', 'is', null);
  return cellsRows(await q.orderBy('row_number').limit(limit).execute());
}

/** These rows by number (a batch: each is a parameter), in file order, as readStagedCells reads them. */
export async function readStagedRowsByNumber(
  db: Db,
  importId: number,
  rowNumbers: readonly number[],
): Promise<CellsRow[]> {
  if (rowNumbers.length === 0) return [];
  const rows = await db
    .selectFrom('import_rows')
    .select(['row_number', 'cells', 'problems'])
    .where('import_id', '=', importId)
    .where('row_number', 'in', [...rowNumbers])
    .orderBy('row_number')
    .execute();
  return cellsRows(rows);
}

/** Stored rows (number, cells, problems) as the engine reads them: cells, and the reader's problems kept. */
export function cellsRows(
  rows: { row_number: number; cells: string; problems: string | null }[],
): CellsRow[] {
  return rows.map((r) => {
    const row = { row: r.row_number, cells: readStringList(r.cells, `cells of row ${r.row_number}`) };
    // The reader's problems hold through re-checks while their cells are unchanged (see FileRow).
    if (r.problems === null || !r.problems.includes('"read.')) return row;
    const read = readJson(r.problems, rowProblems, `problems of row ${r.row_number}`).filter((p) =>
      p.code.startsWith('read.'),
    );
    return read.length > 0 ? { ...row, readProblems: read } : row;
  });
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
  /** The owner the row resolved to, on imports grouped by owner. */
  owner: number | null;
  /** An update's diff, when its target gives one: staged by the check, then what the commit changed. */
  changes: FieldChange[] | null;
}

export type RowFilter =
  | { kind: 'all' }
  | { kind: 'valid' }
  | { kind: 'invalid' }
  /** Updates whose diff is empty: they will be `unchanged`. */
  | { kind: 'unchanged' }
  | { kind: 'code'; code: string };

export async function pageStagedRows(
  db: Db,
  importId: number,
  filter: RowFilter,
  page: { afterRow?: number; offset?: number; limit: number },
  owner?: number,
): Promise<StagedRowView[]> {
  let q = db.selectFrom('import_rows').selectAll().where('import_id', '=', importId);
  if (owner !== undefined) q = q.where('owner_id', '=', owner);
  if (filter.kind === 'valid') q = q.where('valid', '=', 1).where(notSkipped);
  if (filter.kind === 'invalid') q = q.where('valid', '=', 0);
  if (filter.kind === 'unchanged') q = q.where('action', '=', 'update').where('changes', '=', NO_CHANGES);
  if (filter.kind === 'code') q = q.where('codes', 'like', `%,${filter.code.replace(/[%_,]/g, '')},%`);
  if (page.afterRow !== undefined) q = q.where('row_number', '>', page.afterRow);
  q = q.orderBy('row_number').limit(page.limit);
  if (page.offset) q = q.offset(page.offset);
  const rows = await q.execute();
  return rows.map((r) => ({
    row: r.row_number,
    cells: readStringList(r.cells, `cells of row ${r.row_number}`),
    valid: r.valid === 1,
    action: r.action,
    problems: r.problems ? readJson(r.problems, rowProblems, `problems of row ${r.row_number}`) : [],
    result: r.result as ResultAction | null,
    resultId: r.result_id,
    resultMessage: r.result_message,
    owner: r.owner_id,
    changes: r.changes === null ? null : readJson(r.changes, fieldChanges, `changes of row ${r.row_number}`),
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

/** Rows that pass the filter; with `throughRow`, only those numbered up to it (a row's position). */
export async function countStagedRows(
  db: Db,
  importId: number,
  filter: RowFilter,
  throughRow?: number,
  owner?: number,
): Promise<number> {
  let q = db
    .selectFrom('import_rows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('import_id', '=', importId);
  if (owner !== undefined) q = q.where('owner_id', '=', owner);
  if (filter.kind === 'valid') q = q.where('valid', '=', 1).where(notSkipped);
  if (filter.kind === 'invalid') q = q.where('valid', '=', 0);
  if (filter.kind === 'unchanged') q = q.where('action', '=', 'update').where('changes', '=', NO_CHANGES);
  if (filter.kind === 'code') q = q.where('codes', 'like', `%,${filter.code.replace(/[%_,]/g, '')},%`);
  if (throughRow !== undefined) q = q.where('row_number', '<=', throughRow);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

// A row the mode skips (insert of an existing entity, update of a missing one) has no errors but
// is not imported: it counts under `planned.skip`, never as valid, as the commit's results count it.
/** The stored diff of an update that changes nothing. */
const NO_CHANGES = '[]';

const notSkipped = (eb: ExpressionBuilder<Database, 'import_rows'>) =>
  eb.or([eb('action', 'is', null), eb('action', '!=', 'skip')]);

export interface StagedCounts {
  total: number;
  /** Rows the commit will write: no errors, and not skipped under the mode. */
  valid: number;
  invalid: number;
  /** Rows by planned action; `unchanged`: updates that change nothing (not under `update`). */
  planned: Record<string, number>;
  errorCodes: Record<string, number>;
}

export async function stagedCounts(db: Db, importId: number): Promise<StagedCounts> {
  const byVerdict = await db
    .selectFrom('import_rows')
    .select([
      'valid',
      'action',
      // Updates that change nothing counted apart (`unchanged`), as the commit's results count them.
      (eb) => eb.case().when('changes', '=', NO_CHANGES).then(1).else(0).end().as('same'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('import_id', '=', importId)
    .groupBy(['valid', 'action', 'same'])
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
    if (r.valid !== 1) out.invalid += n;
    else if (r.action !== 'skip') out.valid += n;
    const planned = r.action === 'update' && Number(r.same) === 1 ? 'unchanged' : r.action;
    if (planned) out.planned[planned] = (out.planned[planned] ?? 0) + n;
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

/** Rows with an error of this code. */
export async function rowsWithCode(db: Db, importId: number, code: string): Promise<number[]> {
  const rows = await db
    .selectFrom('import_rows')
    .select('row_number')
    .where('import_id', '=', importId)
    .where('codes', 'like', `%,${code.replace(/[%_,]/g, '')},%`)
    .orderBy('row_number')
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

// A result's diff replaces the staged one (the commit's check may see a user changed since); none keeps it.
const RESULT_SQLITE =
  'update import_rows set result = ?, result_id = ?, result_message = ?, changes = coalesce(?, changes) ' +
  'where import_id = ? and row_number = ?';
const RESULT_POSTGRES =
  'update import_rows r set result = v.result, result_id = v.result_id, result_message = v.result_message, ' +
  'changes = coalesce(v.changes, r.changes) ' +
  'from unnest($2::int4[], $3::text[], $4::int4[], $5::text[], $6::text[]) ' +
  'as v(row_number, result, result_id, result_message, changes) ' +
  'where r.import_id = $1 and r.row_number = v.row_number';

const changesText = (r: RowResult): string | null => (r.changes ? JSON.stringify(r.changes) : null);

/** A batch's row results: a prepared statement per row on SQLite, one statement on PostgreSQL. */
export async function setRowResults(db: Db, importId: number, results: readonly RowResult[]): Promise<void> {
  if (results.length === 0) return;
  const sqlite = sqliteHandle(db);
  if (sqlite) {
    const update = prepared(sqlite, RESULT_SQLITE);
    await onSqliteConnection(db, () => {
      for (const r of results) update.run(r.action, r.entityId, r.message, changesText(r), importId, r.row);
    });
    return;
  }
  const columns = columnsOf(results, [
    (r) => r.row,
    (r) => r.action,
    (r) => r.entityId,
    (r) => r.message,
    changesText,
  ]);
  await pgQuery(db, RESULT_POSTGRES, [importId, ...columns]);
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

/**
 * Replaces an import's staged rows by those staged under another import (its file read again
 * under a stand-in): the old rows go, the new ones change hands, one statement each.
 */
export async function replaceStagedRows(db: Db, importId: number, stagedUnder: number): Promise<void> {
  await db.deleteFrom('import_rows').where('import_id', '=', importId).execute();
  await db
    .updateTable('import_rows')
    .set({ import_id: importId })
    .where('import_id', '=', stagedUnder)
    .execute();
}

/** What each of these imports changed of one entity (its row and the row's diff, as committed), by import id. */
export async function changesOfEntity(
  db: Db,
  importIds: readonly number[],
  entityId: number,
): Promise<Map<number, { row: number; changes: FieldChange[] }>> {
  if (importIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('import_rows')
    .select(['import_id', 'row_number', 'changes'])
    .where('import_id', 'in', importIds)
    .where('result_id', '=', entityId)
    .where('result', '=', 'updated')
    .where('changes', 'is not', null)
    .execute();
  return new Map(
    rows.map((r) => [
      r.import_id,
      {
        row: r.row_number,
        changes: readJson(
          r.changes!,
          fieldChanges,
          `changes of row ${r.row_number} of import ${r.import_id}`,
        ),
      },
    ]),
  );
}

/**
 * The number of the `n`th row after `afterRow` that a commit writes (valid, not skipped), in file
 * order; null when fewer follow.
 */
export async function nthWritableRow(
  db: Db,
  importId: number,
  afterRow: number,
  n: number,
): Promise<number | null> {
  const found = await db
    .selectFrom('import_rows')
    .select('row_number')
    .where('import_id', '=', importId)
    .where('row_number', '>', afterRow)
    .where('valid', '=', 1)
    .where('action', 'is not', null)
    .where('action', '!=', 'skip')
    .orderBy('row_number')
    .limit(1)
    .offset(n - 1)
    .executeTakeFirst();
  return found?.row_number ?? null;
}

/** Rows a commit walks (valid ones, skipped ones too: their reason is recorded), up to a row when given. */
export async function countCommitRows(db: Db, importId: number, throughRow: number | null): Promise<number> {
  let q = db
    .selectFrom('import_rows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('import_id', '=', importId)
    .where('valid', '=', 1)
    .where('action', 'is not', null);
  if (throughRow !== null) q = q.where('row_number', '<=', throughRow);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Whether rows after `afterRow` remain for a commit to write (valid, not skipped). */
export async function writableRowsAfter(db: Db, importId: number, afterRow: number): Promise<boolean> {
  return (await nthWritableRow(db, importId, afterRow, 1)) !== null;
}
