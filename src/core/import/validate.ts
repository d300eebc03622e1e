import type { FieldChange } from '../domain/changes.js';
import { readCell } from './cells.js';
import type { DateOrders } from './dates.js';
import type { Mapping } from './mapping.js';
import { hasErrors, type RowProblem } from './problems.js';
import type { CheckedRow, ImportTarget, PlannedAction, RowInput, RunOptions, TargetField } from './target.js';

/** A row as staged: the file's cells, the keys that must be unique in the file, and its verdict. */
export interface StagedRow {
  row: number;
  cells: string[];
  /** Folded values of the target's unique-in-file fields, in field order (null when empty). */
  keys: (string | null)[];
  problems: RowProblem[];
  action: PlannedAction | null;
  /** On a target grouped by owner: the row's group, or null when it named none (see GroupedBy). */
  group?: number | null;
  /** What the row named as its group when it matched none (trimmed; empty when the cell is). */
  groupValue?: string | null;
  /** For an update whose target says: the fields it changes (see CheckedRow.changes). */
  changes?: FieldChange[];
}

export interface FileRow {
  row: number;
  cells: string[];
  /**
   * Problems the file reader found (codes `read.*`: bad bytes, a quote read as Excel does, a formula
   * without a value). Each holds while its cell keeps the text it was read with: fixing the cell
   * clears it, a re-check keeps it.
   */
  readProblems?: RowProblem[];
}

/** Read problems that make a mapped cell's value wrong; on a column that is not imported they are warnings. */
const READ_ERRORS = new Set(['read.invalid_bytes', 'read.formula_without_value']);

/** The reader's problems of a row that still hold: their cell unchanged; errors only in imported columns. */
export function carriedReadProblems(
  file: FileRow,
  header: readonly string[],
  mapping: Mapping,
): RowProblem[] {
  const found = file.readProblems;
  if (!found || found.length === 0) return [];
  const kept: RowProblem[] = [];
  for (const p of found) {
    const index = p.column === null ? -1 : header.indexOf(p.column);
    if (p.column !== null && index >= 0 && (file.cells[index] ?? '') !== (p.value ?? '')) continue;
    const mapped = index >= 0 && (mapping.columns[index] ?? null) !== null;
    const severity = READ_ERRORS.has(p.code) && (mapped || p.column === null) ? 'error' : 'warning';
    kept.push(p.severity === severity ? p : { ...p, severity });
  }
  return kept;
}

/** Whether a stored problem is one of the reader's, to be carried through re-checks. */
export const isReadProblem = (p: RowProblem): boolean => p.code.startsWith('read.');

/**
 * No cell is staged longer than this many characters plus the cut mark, or than the longest any
 * of the target's fields takes if that is more: a longer one is cut before staging (a 990,000
 * character cell in each of 499 columns once staged a gigabyte) and the cut is reported on the cell.
 */
export const CELL_KEEP_FLOOR = 10_000;
/** Ends a cut cell: the cell is then one character longer than what is kept, so every field refuses it. */
export const CUT_MARK = '\u2026';

const keepLengths = new WeakMap<readonly TargetField[], number>();
/** Characters of a cell that are staged: the longest any field takes, and at least CELL_KEEP_FLOOR. */
export function cellKeepLength(fields: readonly TargetField[]): number {
  let keep = keepLengths.get(fields);
  if (keep === undefined) {
    keep = Math.max(CELL_KEEP_FLOOR, ...fields.map((f) => f.maxLength ?? 0));
    keepLengths.set(fields, keep);
  }
  return keep;
}

/** Whether a staged cell is one that was cut. */
export const isCutCell = (text: string, keep: number): boolean =>
  text.length === keep + 1 && text.endsWith(CUT_MARK);

/**
 * Cuts the cells of a file row that are longer than `keep` characters, in place; answers the
 * columns cut, or null when none was.
 */
export function cutLongCells(row: FileRow, keep: number): number[] | null {
  const cut: number[] = [];
  const cells = row.cells;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i]!.length > keep) {
      cells[i] = cells[i]!.slice(0, keep) + CUT_MARK;
      cut.push(i);
    }
  }
  return cut.length > 0 ? cut : null;
}

const cutMessage = (keep: number) =>
  `held more than ${keep.toLocaleString('en-US')} characters, more than any field takes; only the first ${keep.toLocaleString('en-US')} were kept. Correct the cell in the file and upload it again.`;

/** The problem of a cut cell in a column that is not imported: a warning, since nothing is lost from the import. */
export function cutColumnWarning(row: number, column: string, keep: number): RowProblem {
  return problem(
    row,
    column,
    null,
    'cell.truncated',
    `The cell of column "${column}" (not imported) ${cutMessage(keep)}`,
    'cell',
    'warning',
  );
}

/**
 * Turns a file row into the target's values by the mapping, reading each cell with its field's
 * reader. Problems found here are the cell's own (type, length, allowed values, required).
 */
export function mapRow(
  file: FileRow,
  header: readonly string[],
  fields: readonly TargetField[],
  mapping: Mapping,
  dates?: DateOrders,
  requires?: (field: TargetField, values: RowInput['values']) => boolean,
): { input: RowInput; problems: RowProblem[] } {
  const values: RowInput['values'] = {};
  const columns: Record<string, string> = {};
  const raw: Record<string, string> = {};
  const problems: RowProblem[] = [];
  const byKey = fieldsByKey(fields);
  const keep = cellKeepLength(fields);
  mapping.columns.forEach((key, index) => {
    if (key === null) return;
    const field = byKey.get(key);
    if (!field) return;
    const text = file.cells[index] ?? '';
    const column = header[index] ?? field.column;
    columns[key] = column;
    raw[key] = text;
    if (isCutCell(text, keep)) {
      // Checked here rather than once at staging, so that it holds after every later check too.
      problems.push(
        problem(
          file.row,
          column,
          text.slice(0, 100) + CUT_MARK,
          'cell.truncated',
          `${field.label} ${cutMessage(keep)}`,
          'cell',
        ),
      );
      values[key] = null;
      return;
    }
    const read = readCell(field, text, field.type === 'date' ? (dates?.orderFor(index) ?? null) : null);
    if (!read.ok) {
      if (read.code === 'date.order_unknown') dates?.noteRefused(index);
      const found = problem(file.row, column, text, read.code, `${field.label} ${read.message}`, 'cell');
      problems.push(read.suggestion ? { ...found, suggestion: read.suggestion } : found);
      values[key] = null;
      return;
    }
    values[key] = read.value;
  });
  for (const field of fields) {
    if (!field.required || field.default !== undefined) continue;
    if (requires && !requires(field, values)) continue;
    const value = values[field.key];
    const alreadyFlagged = problems.some((p) => p.column === columns[field.key]);
    if ((value === null || value === undefined) && !alreadyFlagged) {
      problems.push(
        problem(
          file.row,
          columns[field.key] ?? field.column,
          raw[field.key] ?? '',
          'value.required',
          `${field.label} is required; fill it in.`,
          'cell',
        ),
      );
    }
  }
  return { input: { row: file.row, values, columns, raw }, problems };
}

// The fields of a plan are one array for the whole file: index them once, not once per row.
const fieldIndexes = new WeakMap<readonly TargetField[], Map<string, TargetField>>();
function fieldsByKey(fields: readonly TargetField[]): Map<string, TargetField> {
  let byKey = fieldIndexes.get(fields);
  if (!byKey) {
    byKey = new Map(fields.map((f) => [f.key, f]));
    fieldIndexes.set(fields, byKey);
  }
  return byKey;
}

const uniqueFieldLists = new WeakMap<readonly TargetField[], TargetField[]>();

export function uniqueKeys(input: RowInput, fields: readonly TargetField[]): (string | null)[] {
  let unique = uniqueFieldLists.get(fields);
  if (!unique) {
    unique = fields.filter((f) => f.uniqueInFile);
    uniqueFieldLists.set(fields, unique);
  }
  return unique.map((f) => {
    const v = input.values[f.key];
    if (v === null || v === undefined) return null;
    const own = String(v).toLowerCase();
    if (!f.uniqueWithin) return own;
    // The value first, then those it must be unique with: the same key under another owner is no duplicate.
    const within = f.uniqueWithin.fields.map((k) => input.values[k]);
    if (within.some((w) => w === null || w === undefined)) return null;
    return [own, ...within.map((w) => String(w).toLowerCase())].join('\u001f');
  });
}

export function problem(
  row: number,
  column: string | null,
  value: string | null,
  code: string,
  message: string,
  source: RowProblem['source'],
  severity: RowProblem['severity'] = 'error',
): RowProblem {
  return { row, column, value, code, message, severity, source };
}

/**
 * Validates a batch of file rows: cell readers first, then the target's checks against the
 * directory for the rows whose cells are fine. Changes nothing anywhere.
 */
export async function validateBatch<Env>(
  batch: readonly FileRow[],
  header: readonly string[],
  fields: readonly TargetField[],
  mapping: Mapping,
  target: ImportTarget<Env>,
  env: Env,
  options: RunOptions,
  dates?: DateOrders,
): Promise<{ staged: StagedRow[]; inputs: RowInput[]; existingIds: (number | null)[] }> {
  const requires = target.requires?.bind(target);
  const needs =
    requires && ((field: TargetField, values: RowInput['values']) => requires(field, values, options));
  const mapped = batch.map((file) => {
    const result = mapRow(file, header, fields, mapping, dates, needs);
    const read = carriedReadProblems(file, header, mapping);
    if (read.length > 0) result.problems.unshift(...read);
    return result;
  });
  // Every row goes to the target, also one whose cells already failed (those values read as empty):
  // the admin then sees all of a row's problems at once instead of one after another as they fix.
  const checked: CheckedRow[] =
    mapped.length > 0
      ? await target.check(
          mapped.map((m) => m.input),
          env,
          options,
        )
      : [];
  const verdicts = new Map<number, CheckedRow>();
  mapped.forEach((m, i) => {
    const verdict = checked[i]!;
    if (!hasErrors(m.problems)) {
      verdicts.set(m.input.row, verdict);
      return;
    }
    // A cell that failed to read has its reason already; the target, which saw it empty, adds
    // only problems of the other cells and of the row, and plans nothing.
    const flagged = new Set(m.problems.map((p) => p.column));
    const others = verdict.problems.filter((p) => p.column === null || !flagged.has(p.column));
    verdicts.set(m.input.row, {
      problems: others,
      action: null,
      ...(verdict.group !== undefined && { group: verdict.group }),
    });
  });
  const groups = target.groupedBy ? await groupsOf(target, mapped, verdicts, env, options) : null;
  const staged = mapped.map((m, i): StagedRow => {
    const verdict = verdicts.get(m.input.row);
    const problems = [...m.problems, ...(verdict?.problems ?? [])];
    if (verdict?.action === 'skip' && verdict.skipReason && !hasErrors(problems)) {
      problems.push(problem(m.input.row, null, null, 'row.skipped', verdict.skipReason, 'row', 'warning'));
    }
    const action = hasErrors(problems) ? null : (verdict?.action ?? null);
    return {
      row: m.input.row,
      cells: batch[i]!.cells,
      keys: uniqueKeys(m.input, fields),
      problems,
      action,
      ...(groups && groupFields(groups.get(m.input.row) ?? null, m.input, target)),
      ...(action === 'update' && verdict?.changes && { changes: verdict.changes }),
    };
  });
  return {
    staged,
    inputs: mapped.map((m) => m.input),
    existingIds: mapped.map((m) => verdicts.get(m.input.row)?.existingId ?? null),
  };
}

/**
 * The group of every row of a grouped target: the check's answer for the rows it saw, the target's
 * `resolve` for the others (rows with a problem in a cell still belong to their owner).
 */
async function groupsOf<Env>(
  target: ImportTarget<Env>,
  mapped: readonly { input: RowInput }[],
  verdicts: ReadonlyMap<number, CheckedRow>,
  env: Env,
  options: RunOptions,
): Promise<Map<number, number | null>> {
  const grouped = target.groupedBy!;
  const out = new Map<number, number | null>();
  const unresolved: RowInput[] = [];
  for (const { input } of mapped) {
    const verdict = verdicts.get(input.row);
    if (verdict && verdict.group !== undefined) out.set(input.row, verdict.group);
    else if (input.values[grouped.field] !== null && input.values[grouped.field] !== undefined)
      unresolved.push(input);
    else out.set(input.row, null);
  }
  if (unresolved.length > 0) {
    const found = await grouped.resolve(unresolved, env, options);
    for (const [i, input] of unresolved.entries()) out.set(input.row, found[i] ?? null);
  }
  return out;
}

function groupFields<Env>(group: number | null, input: RowInput, target: ImportTarget<Env>) {
  const field = target.groupedBy!.field;
  return { group, groupValue: group === null ? (input.raw[field] ?? '').trim() : null };
}

/** The problem a later row gets for repeating an earlier row's unique value. */
export function duplicateProblem(
  row: number,
  firstRow: number,
  field: TargetField,
  column: string,
  value: string,
): RowProblem {
  return problem(
    row,
    column,
    value,
    'row.duplicate',
    `${field.label} "${value}" is also in row ${firstRow}${field.uniqueWithin ? ` for ${field.uniqueWithin.description}` : ''} (compared ignoring case). Keep one of the two rows.`,
    'file',
  );
}
