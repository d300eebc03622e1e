import { type Actor, authorize } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { applyAndRevalidate } from '../../core/import/engine.js';
import * as fixes from '../../storage/queries/import-fixes.js';
import type { AppContext } from '../context.js';
import { audit } from '../shared.js';
import { visibleImport } from './access.js';
import { editImport, getImport, planFor } from './manage-import.js';
import { stagingFor } from './staging.js';
import type { ImportView } from './view.js';

/**
 * Bulk fixes of an import's staged rows in the review: the rows a fix alters are found by one
 * statement per batch over the staged rows (see storage/queries/import-fixes.ts, rowsChanging),
 * checked again at once and written once each, new cells with verdict; the fix is kept in the
 * import's history. Only while the import can be edited (`edit_rows`).
 */
export type FixInput =
  /** A problem's suggestion: in one row's cell, or in every cell of the column holding `value`. */
  | { kind: 'suggestion'; column: string; value: string; suggestion: string; row?: number }
  /** Whole cells of the column: each value found on the left becomes the one on its right. */
  | { kind: 'valueMap'; column: string; map: Record<string, string> }
  /** Every occurrence of a text within the column's cells (case-sensitive). */
  | { kind: 'replace'; column: string; find: string; replace: string };

export type FixView = fixes.FixRecord;

/** A file column by its header or its position (0-based, as text), or a clear refusal naming the columns. */
export function columnOf(
  header: readonly string[],
  column: string,
  field = 'column',
): { index: number; name: string } {
  const index = /^\d+$/.test(column) ? Number(column) : header.indexOf(column);
  if (index < 0 || index >= header.length) {
    throw errors.field(
      'request.invalid',
      field,
      `This file has no column "${column}". Columns: ${header.join(', ')}.`,
      { problem: 'import.no_such_column' },
    );
  }
  return { index, name: header[index] || `Column ${index + 1}` };
}

/** The distinct values of a column in the rows with a problem on it, most frequent first. */
export async function listInvalidValues(
  ctx: AppContext,
  actor: Actor,
  id: number,
  query: { column: string; limit: number },
) {
  const rec = await visibleImport(ctx, actor, id, 'imports.read');
  const column = columnOf(rec.header, query.column, 'query.column');
  const found = await fixes.invalidValues(ctx.db, id, column, query.limit);
  return { column: column.name, columnIndex: column.index, ...found };
}

export async function listFixes(ctx: AppContext, actor: Actor, id: number): Promise<FixView[]> {
  await visibleImport(ctx, actor, id, 'imports.read');
  return fixes.listFixes(ctx.db, id);
}

/**
 * Keeps a fix in the import's fix history and the audit log, in the caller's transaction; answers
 * it as the history shows it. `audited`: what the audit entry adds to the kind and the column.
 */
export async function recordFix(
  ctx: AppContext,
  db: AppContext['db'],
  actor: Actor,
  rec: { id: number; customerId: number | null },
  fix: {
    kind: FixView['kind'];
    column: { index: number; name: string };
    details: FixView['details'];
    rowsChanged: number;
    audited: Record<string, unknown>;
  },
): Promise<FixView> {
  const record: Omit<FixView, 'id'> = {
    kind: fix.kind,
    columnIndex: fix.column.index,
    column: fix.column.name,
    details: fix.details,
    rowsChanged: fix.rowsChanged,
    createdBy: actor.label,
    createdAt: ctx.now().toISOString(),
  };
  const fixId = await fixes.insertFix(db, rec.id, record);
  await audit(ctx, db, actor, {
    action: 'import.fix',
    entityType: 'import',
    entityId: rec.id,
    customerId: rec.customerId,
    details: { kind: fix.kind, column: fix.column.name, ...fix.audited },
  });
  return { id: fixId, ...record };
}

/** Applies one bulk fix, checks the rows it changed again, and records it. */
export async function applyFix(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: FixInput,
): Promise<{ fix: FixView; import: ImportView }> {
  authorize(actor, 'imports.run');
  const fix = await editImport(ctx, actor, id, 'edit_rows', async (db, rec) => {
    const column = columnOf(rec.header, input.column);
    let change: fixes.CellChange;
    let details: Record<string, unknown>;
    if (input.kind === 'replace') {
      change = { kind: 'replace', find: input.find, replacement: input.replace };
      details = { find: input.find, replace: input.replace };
    } else if (input.kind === 'valueMap') {
      const pairs = Object.entries(input.map).map(([from, to]) => ({ from, to }));
      change = { kind: 'map', pairs };
      details = { map: input.map };
    } else {
      const pairs = [{ from: input.value, to: input.suggestion }];
      change = { kind: 'map', pairs, ...(input.row !== undefined && { onlyRow: input.row }) };
      details = {
        value: input.value,
        suggestion: input.suggestion,
        ...(input.row !== undefined && { row: input.row }),
      };
    }
    const plan = await planFor(ctx, rec, db);
    // The rows the change alters, then a batch at a time with their new cells: each is checked and
    // written once, cells and verdict.
    const changed = await fixes.rowsChanging(db, id, column.index, change);
    await applyAndRevalidate(
      plan,
      stagingFor(db, id),
      changed,
      (rows) => fixes.changedCells(db, id, column.index, change, rows),
      column.index,
    );
    return recordFix(ctx, db, actor, rec, {
      kind: input.kind,
      column,
      details,
      rowsChanged: changed.length,
      audited: { rowsChanged: changed.length },
    });
  });
  return { fix, import: await getImport(ctx, actor, id) };
}
