import type { FieldChange } from '../domain/changes.js';
import type { DateOrders } from './dates.js';
import type { Mapping } from './mapping.js';
import type { RowProblem } from './problems.js';
import { describeProblems, hasErrors } from './problems.js';
import { readErrors } from './read/read-errors.js';
import type {
  ImportTarget,
  PlannedAction,
  RowResult,
  RunOptions,
  TargetField,
  WritableRow,
} from './target.js';
import {
  cellKeepLength,
  cutColumnWarning,
  cutLongCells,
  duplicateProblem,
  type FileRow,
  isReadProblem,
  mapRow,
  type StagedRow,
  uniqueKeys,
  validateBatch,
} from './validate.js';

/**
 * The import engine: validation into staging, and commit out of it, for any target. It reads and
 * writes only through the ports it is given; the application layer binds them to a database.
 */
export interface StagingPort {
  insert(rows: readonly StagedRow[]): Promise<void>;
  update(rows: readonly StagedRow[], withCells: boolean): Promise<void>;
  read(afterRow: number, limit: number): Promise<FileRow[]>;
  /** Rows sharing a value of unique key `index` with another row; only for `values` when given. */
  duplicates(index: number, values?: readonly string[]): Promise<{ key: string; row: number }[]>;
  rowsWithKeys(index: number, values: readonly string[]): Promise<number[]>;
  row(row: number): Promise<{ cells: string[]; problems: RowProblem[]; action: string | null } | undefined>;
  setProblems(row: number, problems: RowProblem[], action: string | null): Promise<void>;
  /** Rows with an error of this code (a bulk fix re-checks the duplicates it may have ended). */
  rowsWithCode?(code: string): Promise<number[]>;
  /** These rows (at most a batch), in file order: a re-check reads the rows it checks, no others. */
  readRows?(rows: readonly number[]): Promise<FileRow[]>;
}

export interface ValidationPlan<Env> {
  target: ImportTarget<Env>;
  env: Env;
  fields: TargetField[];
  header: string[];
  mapping: Mapping;
  options: RunOptions;
  /** How date fields read day- or month-first values: the option, or the order each column proves. */
  dates?: DateOrders;
}

/** The file columns mapped to date fields. */
export function dateColumns(plan: Pick<ValidationPlan<unknown>, 'fields' | 'mapping'>): number[] {
  const dateKeys = new Set(plan.fields.filter((f) => f.type === 'date').map((f) => f.key));
  const columns: number[] = [];
  plan.mapping.columns.forEach((key, index) => {
    if (key !== null && dateKeys.has(key)) columns.push(index);
  });
  return columns;
}

/** Lets the plan's date orders see the date cells of these rows before they are checked. */
function observeDates(
  plan: ValidationPlan<unknown>,
  columns: readonly number[],
  rows: readonly FileRow[],
): void {
  const dates = plan.dates;
  if (dates?.choice !== 'auto' || columns.length === 0) return;
  for (const row of rows)
    for (const column of columns) dates.observe(column, (row.cells[column] ?? '').trim());
}

export const BATCH_SIZE = 2000;
/** Verdicts a bulk fix's re-check writes in one statement. */
const VERDICT_BATCH = 10_000;
/**
 * A commit reads, checks and writes this many rows at a time. A batch (one transaction) takes such
 * chunks until it has run for the port's `batchTimeMs`, or holds twice the rows of the batch before
 * it (the first one BATCH_SIZE rows, so that progress shows at once and a cancel is heard soon).
 * Transactions so grow large while what is held in memory stays one chunk: small transactions are
 * what makes a large commit slow (on SQLite each one writes every index page it touched once more:
 * a million users inserted raw took 43 s in 10,000-row transactions, 33 s in 50,000-row ones), and a
 * whole batch in memory is what makes it big (a few KB a row while it is checked and written).
 * A batch also ends after the chunk in hand when another writer waits for the database (the port
 * says): then other requests wait one chunk at most, and a quiet database gets large batches. Where
 * they wait for every chunk (SQLite), chunks are also sized by time (`CommitPort.chunkTimeMs`), up
 * to this many rows.
 */
export const COMMIT_CHUNK = 2000;

/**
 * Lets other work (HTTP requests) run between batches. A synchronous database driver resolves
 * every await at once, and a loop of them would otherwise hold the process until it ends.
 */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Validates rows as the plan says (with another environment, e.g. one bound to a transaction). */
function check<Env>(plan: ValidationPlan<Env>, rows: readonly FileRow[], env: Env = plan.env) {
  return validateBatch(
    rows,
    plan.header,
    plan.fields,
    plan.mapping,
    plan.target,
    env,
    plan.options,
    plan.dates,
  );
}

export interface StageOptions {
  signal?: AbortSignal;
  /** Most bytes of cell text (UTF-8) staged for one import; past it the import fails with nothing kept. */
  maxStagedBytes?: number;
}

/**
 * Validates rows from the file into staging, batch by batch. The port may give each batch its own
 * transaction (so that other writers wait one batch at most); `markDuplicates` then finishes the
 * verdicts across the whole file. Cells longer than any field takes are cut first (see
 * cutLongCells), and the staged bytes are capped.
 */
export async function stageRows<Env>(
  plan: ValidationPlan<Env>,
  rows: AsyncIterable<FileRow>,
  staging: StagingPort,
  options: StageOptions = {},
): Promise<void> {
  const { signal, maxStagedBytes = Number.POSITIVE_INFINITY } = options;
  const keep = cellKeepLength(plan.fields);
  let stagedBytes = 0;
  // Cut cells of columns that are not imported, by row: they get a warning once validated.
  const cutUnmapped = new Map<number, number[]>();
  let batch: FileRow[] = [];
  // A batch's insert is awaited only before the next one: meanwhile the next batch is read and
  // checked, so on PostgreSQL the server stores one batch while this process validates the next.
  let storing: Promise<void> = Promise.resolve();
  const dated = dateColumns(plan);
  const flush = async () => {
    observeDates(plan as ValidationPlan<unknown>, dated, batch);
    const { staged } = await check(plan, batch);
    batch = [];
    if (cutUnmapped.size > 0) {
      for (const row of staged) {
        for (const index of cutUnmapped.get(row.row) ?? []) {
          row.problems.push(cutColumnWarning(row.row, plan.header[index] ?? `#${index + 1}`, keep));
        }
      }
      cutUnmapped.clear();
    }
    await storing;
    storing = staging.insert(staged);
    // Awaited before the next insert or at the end; an error meanwhile ends the import anyway.
    storing.catch(() => {});
    await yieldTurn();
  };
  for await (const row of rows) {
    signal?.throwIfAborted();
    const cut = cutLongCells(row, keep);
    if (cut) {
      const unmapped = cut.filter((index) => (plan.mapping.columns[index] ?? null) === null);
      if (unmapped.length > 0) cutUnmapped.set(row.row, unmapped);
    }
    for (const cell of row.cells) stagedBytes += Buffer.byteLength(cell);
    if (stagedBytes > maxStagedBytes) throw readErrors.tooMuchData(maxStagedBytes, row.row);
    batch.push(row);
    if (batch.length >= BATCH_SIZE) await flush();
  }
  if (batch.length > 0) await flush();
  await storing;
  // Values refused before a later row proved their column's order: checked again, now that it is known.
  if (plan.dates?.takeRefused()) await revalidateAll(plan, staging, { observed: true });
}

/** Validates every staged row again (after a mapping or option change), keeping the admin's fixes. */
export async function revalidateAll<Env>(
  plan: ValidationPlan<Env>,
  staging: StagingPort,
  how: { observed?: boolean } = {},
): Promise<void> {
  const dated = dateColumns(plan);
  if (!how.observed && plan.dates?.choice === 'auto' && dated.length > 0) {
    // A column newly mapped to a date field: its order comes from all its values, read first.
    for (let after = 0; ; ) {
      const batch = await staging.read(after, BATCH_SIZE);
      if (batch.length === 0) break;
      observeDates(plan as ValidationPlan<unknown>, dated, batch);
      after = batch[batch.length - 1]!.row;
    }
  }
  let after = 0;
  for (;;) {
    const batch = await staging.read(after, BATCH_SIZE);
    if (batch.length === 0) break;
    const { staged } = await check(plan, batch);
    await staging.update(staged, false);
    after = batch[batch.length - 1]!.row;
  }
  await markDuplicates(plan, staging);
}

/**
 * Validates again the rows a bulk fix changed (their cells are already changed in staging), then
 * the duplicate marks across the file, which a changed key may have made or ended.
 */
export async function revalidateRows<Env>(
  plan: ValidationPlan<Env>,
  staging: StagingPort,
  changed: readonly number[],
  column: number,
): Promise<void> {
  if (changed.length === 0) return;
  const wanted = new Set(changed);
  // A loop, not Math.min(...changed): a fix may change a million rows, more than a call's arguments.
  let first = changed[0]!;
  let last = first;
  for (const r of changed) {
    if (r < first) first = r;
    if (r > last) last = r;
  }
  const key = plan.mapping.columns[column] ?? null;
  const keyed = key !== null && plan.fields.some((f) => f.uniqueInFile && f.key === key);
  // A re-check drops a changed row's duplicate mark; when the column is no key, only the rows that
  // had one need it back, and with none of them (the usual case) the file-wide pass is skipped.
  const marked = keyed || !staging.rowsWithCode ? null : await staging.rowsWithCode('row.duplicate');
  const remark = keyed || marked === null || marked.some((r) => wanted.has(r));
  // Verdicts are written in larger statements than rows are read: on PostgreSQL each update joins
  // its batch against the import's rows, and fewer, larger ones cost less in all.
  let pending: StagedRow[] = [];
  if (staging.readRows) {
    // Only the changed rows are read, a batch at a time by their numbers: a fix of a few rows far
    // apart reads those, not every row between them.
    const sorted = [...wanted].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i += BATCH_SIZE) {
      const mine = await staging.readRows(sorted.slice(i, i + BATCH_SIZE));
      if (mine.length > 0) pending.push(...(await check(plan, mine)).staged);
      if (pending.length >= VERDICT_BATCH) {
        await staging.update(pending, false);
        pending = [];
      }
      await yieldTurn();
    }
  }
  // Without readRows: rows are read in file order from just before the first changed one; only
  // changed rows are checked.
  let after = staging.readRows ? last : first - 1;
  while (after < last) {
    const batch = await staging.read(after, BATCH_SIZE);
    if (batch.length === 0) break;
    const mine = batch.filter((r) => wanted.has(r.row));
    if (mine.length > 0) {
      const { staged } = await check(plan, mine);
      pending.push(...staged);
    }
    if (pending.length >= VERDICT_BATCH) {
      await staging.update(pending, false);
      pending = [];
    }
    after = batch[batch.length - 1]!.row;
    await yieldTurn();
  }
  if (pending.length > 0) await staging.update(pending, false);
  // Rows not changed keep their duplicate marks, which a changed key may have ended.
  if (keyed) await clearStaleDuplicates(plan, staging);
  if (remark) await markDuplicates(plan, staging);
}

/**
 * A bulk fix's changes, checked and written in one pass: `changed` are the rows the fix alters (in
 * file order), `read` answers a batch of them with their cells as changed (nothing written yet),
 * and each row's new cells are written with its verdict, so a changed row is written once. Then
 * the duplicate marks, as revalidateRows does.
 */
export async function applyAndRevalidate<Env>(
  plan: ValidationPlan<Env>,
  staging: StagingPort,
  changed: readonly number[],
  read: (rows: readonly number[]) => Promise<FileRow[]>,
  column: number,
): Promise<void> {
  if (changed.length === 0) return;
  const key = plan.mapping.columns[column] ?? null;
  const keyed = key !== null && plan.fields.some((f) => f.uniqueInFile && f.key === key);
  const marked = keyed || !staging.rowsWithCode ? null : await staging.rowsWithCode('row.duplicate');
  let pending: StagedRow[] = [];
  for (let i = 0; i < changed.length; i += BATCH_SIZE) {
    pending.push(...(await check(plan, await read(changed.slice(i, i + BATCH_SIZE)))).staged);
    if (pending.length >= VERDICT_BATCH) {
      await staging.update(pending, true);
      pending = [];
    }
    await yieldTurn();
  }
  if (pending.length > 0) await staging.update(pending, true);
  const wanted = new Set(changed);
  if (keyed) await clearStaleDuplicates(plan, staging);
  if (keyed || marked === null || marked.some((r) => wanted.has(r))) await markDuplicates(plan, staging);
}

/** Checks again every row marked a duplicate, so that marks a fix ended go (markDuplicates adds). */
async function clearStaleDuplicates<Env>(plan: ValidationPlan<Env>, staging: StagingPort): Promise<void> {
  const marked = staging.rowsWithCode ? await staging.rowsWithCode('row.duplicate') : [];
  for (let i = 0; i < marked.length; i += BATCH_SIZE) {
    if (staging.readRows) {
      const { staged } = await check(plan, await staging.readRows(marked.slice(i, i + BATCH_SIZE)));
      await staging.update(staged, false);
      continue;
    }
    const rows: FileRow[] = [];
    for (const r of marked.slice(i, i + BATCH_SIZE)) {
      const current = await staging.row(r);
      if (!current) continue;
      const carried = current.problems.filter(isReadProblem);
      rows.push(
        carried.length > 0
          ? { row: r, cells: current.cells, readProblems: carried }
          : { row: r, cells: current.cells },
      );
    }
    const { staged } = await check(plan, rows);
    await staging.update(staged, false);
  }
}

/**
 * Applies a fix to some cells of one row and validates it again, together with every row that
 * shared (or now shares) a unique value with it, so duplicate marks stay true on both sides.
 */
export async function fixRow<Env>(
  plan: ValidationPlan<Env>,
  staging: StagingPort,
  rowNumber: number,
  cells: string[],
): Promise<number[]> {
  const before = await staging.row(rowNumber);
  if (!before) return [];
  const uniqueFields = plan.fields.filter((f) => f.uniqueInFile);
  const readProblems = before.problems.filter(isReadProblem);
  const { staged } = await check(plan, [
    readProblems.length > 0 ? { row: rowNumber, cells, readProblems } : { row: rowNumber, cells },
  ]);
  // The keys the row held before the fix: read from its old cells, without any lookup.
  const oldKeys = uniqueKeys(
    mapRow({ row: rowNumber, cells: before.cells }, plan.header, plan.fields, plan.mapping).input,
    plan.fields,
  );
  await staging.update(staged, true);
  const touched = new Set<number>([rowNumber]);
  for (let i = 0; i < uniqueFields.length; i++) {
    const values = [oldKeys[i], staged[0]!.keys[i]].filter((v): v is string => v !== null && v !== undefined);
    for (const row of await staging.rowsWithKeys(i, values)) touched.add(row);
  }
  // Rows that were duplicates of this one (or of its new value) get their verdict afresh.
  const others = [...touched].filter((r) => r !== rowNumber);
  for (const r of others) {
    const current = await staging.row(r);
    if (!current) continue;
    const carried = current.problems.filter(isReadProblem);
    const { staged: again } = await check(plan, [
      carried.length > 0
        ? { row: r, cells: current.cells, readProblems: carried }
        : { row: r, cells: current.cells },
    ]);
    await staging.update(again, false);
  }
  const allValues = uniqueFields.map((_, i) =>
    [oldKeys[i], staged[0]!.keys[i]].filter((v): v is string => v !== null && v !== undefined),
  );
  await markDuplicates(plan, staging, allValues);
  return [...touched].sort((a, b) => a - b);
}

/** Adds a duplicate problem to every later row that repeats an earlier row's unique value. */
export async function markDuplicates<Env>(
  plan: ValidationPlan<Env>,
  staging: StagingPort,
  only?: string[][],
): Promise<void> {
  const uniqueFields = plan.fields.filter((f) => f.uniqueInFile);
  for (let i = 0; i < uniqueFields.length; i++) {
    const field = uniqueFields[i]!;
    const column = plan.header[plan.mapping.columns.indexOf(field.key)] ?? field.column;
    const values = only?.[i];
    if (only && (!values || values.length === 0)) continue;
    const rows = await staging.duplicates(i, values);
    let firstOfKey = new Map<string, number>();
    firstOfKey = rows.reduce((m, r) => (m.has(r.key) ? m : m.set(r.key, r.row)), firstOfKey);
    for (const { key, row } of rows) {
      const first = firstOfKey.get(key)!;
      if (row === first) continue;
      const current = await staging.row(row);
      if (!current) continue;
      const index = plan.mapping.columns.indexOf(field.key);
      const value = current.cells[index] ?? key;
      const problems = [
        ...current.problems.filter((p) => !(p.code === 'row.duplicate' && p.column === column)),
        duplicateProblem(row, first, field, column, value.trim()),
      ];
      await staging.setProblems(row, problems, null);
    }
  }
}

// Commit

export interface CommitTx<Env> {
  env: Env;
  /** Valid rows after `afterRow`, in file order, read in this transaction. */
  readValid(afterRow: number, limit: number): Promise<FileRow[]>;
  saveResults(results: readonly RowResult[], committedThrough: number): Promise<void>;
}

export interface CommitPort<Env> {
  /** Valid rows after `afterRow`, in file order. */
  readValid(afterRow: number, limit: number): Promise<FileRow[]>;
  /** One batch's writes and its results land together, or not at all. */
  transaction<T>(work: (tx: CommitTx<Env>) => Promise<T>): Promise<T>;
  /** Asked between batches: true when the admin cancelled. */
  cancelled(): Promise<boolean>;
  /** Asked between batches: true when the process is shutting down (the job resumes on restart). */
  interrupted(): boolean;
  progress(done: number): Promise<void>;
  /** How long a batch goes on taking chunks, in milliseconds (it may run over by one chunk). */
  batchTimeMs: number;
  /** Whether another write waits for this batch's transaction to end (asked after each chunk). */
  othersWaiting?(): boolean;
  /**
   * Where every write waits for the one in hand (SQLite): about how long a chunk should take, in
   * milliseconds. Chunks are then sized by how long the last one took, so that another request
   * waits about this long at most, however slow rows become as the tables grow. Absent: chunks
   * of COMMIT_CHUNK rows (PostgreSQL, where other writes do not wait for the import's).
   */
  chunkTimeMs?: number;
}

/** The fewest rows a chunk sized by time takes: below this, a chunk's fixed costs would dominate. */
const MIN_TIMED_CHUNK = 200;

/** The next chunk's rows, from the last one's rows and time, when chunks are sized by time. */
function nextChunkRows(rows: number, elapsedMs: number, targetMs: number | undefined): number {
  if (targetMs === undefined) return COMMIT_CHUNK;
  if (elapsedMs <= 0) return COMMIT_CHUNK;
  const scaled = Math.round((rows * targetMs) / elapsedMs);
  return Math.max(MIN_TIMED_CHUNK, Math.min(COMMIT_CHUNK, scaled));
}

export type CommitOutcome = 'completed' | 'cancelled' | 'interrupted';

/**
 * Commits the staged valid rows batch by batch from `committedThrough` on. Each chunk of a batch is
 * checked again first (the directory may have changed since validation): rows no longer valid fail
 * with their reasons; the rest are written by the target. Results and the resume point are saved in
 * the batch's transaction, so a crash never loses or repeats a batch.
 */
export async function commitRows<Env>(
  plan: ValidationPlan<Env>,
  port: CommitPort<Env>,
  importId: number,
  committedThrough: number,
  alreadyDone: number,
  firstBatchSize = BATCH_SIZE,
): Promise<CommitOutcome> {
  let after = committedThrough;
  let done = alreadyDone;
  let allowance = firstBatchSize;
  let chunkRows = COMMIT_CHUNK;
  for (;;) {
    if (port.interrupted()) return 'interrupted';
    if (await port.cancelled()) return 'cancelled';
    const started = Date.now();
    const most = allowance;
    // Batches grow from the first one's size, doubling, as long as they keep within the time.
    allowance = Math.min(allowance * 2, 1 << 20);
    let chunk = await port.readValid(after, Math.min(chunkRows, most));
    if (chunk.length === 0) return 'completed';
    const batch = await port.transaction(async (tx) => {
      let rows = 0;
      for (;;) {
        const chunkStarted = performance.now();
        const last = await commitChunk(plan, tx, chunk, importId);
        chunkRows = nextChunkRows(chunk.length, performance.now() - chunkStarted, port.chunkTimeMs);
        rows += chunk.length;
        if (rows >= most || Date.now() - started >= port.batchTimeMs) return { rows, last };
        // Let requests that came meanwhile in (a synchronous driver never yields by itself): one
        // that writes then waits for this transaction, and the batch ends to let it through.
        await yieldTurn();
        if (port.othersWaiting?.()) return { rows, last };
        chunk = await tx.readValid(last, Math.min(chunkRows, most - rows));
        if (chunk.length === 0) return { rows, last };
      }
    });
    after = batch.last;
    done += batch.rows;
    await port.progress(done);
    await yieldTurn();
  }
}

/** Checks and writes one chunk in the batch's transaction, with its results and resume point. */
async function commitChunk<Env>(
  plan: ValidationPlan<Env>,
  tx: CommitTx<Env>,
  chunk: readonly FileRow[],
  importId: number,
): Promise<number> {
  const last = chunk[chunk.length - 1]!.row;
  const { staged, inputs, existingIds } = await check(plan, chunk, tx.env);
  const results: RowResult[] = [];
  const writable: WritableRow[] = [];
  const changesOf = new Map<number, FieldChange[]>();
  inputs.forEach((input, i) => {
    const s = staged[i]!;
    if (hasErrors(s.problems)) {
      results.push({
        row: s.row,
        action: 'failed',
        entityId: null,
        message: describeProblems(s.problems),
      });
    } else if (s.action === 'skip' || s.action === null) {
      const reason = s.problems.find((p) => p.code === 'row.skipped')?.message;
      results.push({
        row: s.row,
        action: 'skipped',
        entityId: null,
        message: reason ?? skipMessage(s.action),
      });
    } else {
      // Checked in this transaction just now: the target writes without looking the row up again.
      writable.push({ ...input, action: s.action, existingId: existingIds[i] ?? null });
      if (s.changes) changesOf.set(s.row, s.changes);
    }
  });
  if (writable.length > 0) {
    const written = await plan.target.commit(writable, tx.env, plan.options, importId);
    // An update's diff as this transaction's check saw it: what the row changed, for its result.
    for (const r of written) {
      const changed = r.action === 'updated' || r.action === 'disabled' || r.action === 'enabled';
      const changes = changed ? changesOf.get(r.row) : undefined;
      results.push(changes && !r.changes ? { ...r, changes } : r);
    }
  }
  await tx.saveResults(results, last);
  return last;
}

function skipMessage(action: PlannedAction | null): string {
  return action === 'skip' ? 'Skipped under the chosen mode.' : 'Nothing to do for this row.';
}
