/**
 * What every format shares once it yields raw rows: blank rows, the header, the template's hint
 * row, trailing empty columns, padding, and the row and column limits.
 */
import type { ReadLimits } from './limits.js';
import { readErrors } from './read-errors.js';
import type { ReadProblem, TabularRow } from './types.js';

/** A row as a format reader produces it: cells may stop early or run on with empty trailing cells. */
export interface RawRow {
  rowNumber: number;
  cells: string[];
  /** What the reader could not read exactly in this row. */
  problems?: ReadProblem[];
}

const isBlankCell = (cell: string | undefined): boolean => cell === undefined || cell.trim() === '';

export const isBlankRow = (cells: readonly string[]): boolean => cells.every(isBlankCell);

function withoutTrailingBlanks(cells: readonly string[], keep = 0): string[] {
  let end = cells.length;
  while (end > keep && isBlankCell(cells[end - 1])) end--;
  return cells.slice(0, end);
}

const HINT_CELL = /^\s*(required|optional)\b/i;

/**
 * The template's second row says, per column, `Required` or `Optional`, possibly followed by the
 * allowed values (`Optional: Standard | Privileged`). It is that row when most of its filled cells
 * read so; one data cell that happens to say "optional" does not make a row a hint.
 */
export function isHintRow(cells: readonly string[], headerWidth: number): boolean {
  let filled = 0;
  let hints = 0;
  for (let i = 0; i < Math.min(cells.length, headerWidth); i++) {
    const cell = cells[i]!;
    if (isBlankCell(cell)) continue;
    filled++;
    if (HINT_CELL.test(cell)) hints++;
  }
  return hints > 0 && hints * 2 > filled;
}

/** Format readers yield rows in batches, one per chunk of the file, to keep async overhead per chunk. */
export type RowBatches = AsyncGenerator<RawRow[]>;

/** Reads rows one at a time out of a reader's batches, skipping blank ones. */
export class RowCursor {
  private batch: RawRow[] = [];
  private position = 0;

  constructor(private readonly batches: RowBatches) {}

  /** The next non-blank row of the batch in hand, without waiting; undefined when it is used up. */
  takeNonBlank(): RawRow | undefined {
    while (this.position < this.batch.length) {
      const row = this.batch[this.position++]!;
      if (!isBlankRow(row.cells) || row.problems) return row;
    }
    return undefined;
  }

  async nextNonBlank(): Promise<RawRow | null> {
    for (;;) {
      const row = this.takeNonBlank();
      if (row) return row;
      const next = await this.batches.next();
      if (next.done) return null;
      this.batch = next.value;
      this.position = 0;
    }
  }

  async close(): Promise<void> {
    this.batch = [];
    await this.batches.return(undefined);
  }
}

export interface HeaderedRows {
  header: string[];
  headerRowNumber: number;
  hintRowSkipped: boolean;
  rows(): AsyncIterable<TabularRow>;
  close(): Promise<void>;
}

/**
 * Takes the header (the first non-blank row, given) and looks one row further for the hint row.
 * `release` frees the file; it runs once, when the rows end, fail, or `close()` is called.
 */
export async function withHeader(
  source: RowCursor,
  headerRow: RawRow,
  limits: ReadLimits,
  signal: AbortSignal | undefined,
  release: () => Promise<void> | void,
): Promise<HeaderedRows> {
  let released = false;
  const close = async (): Promise<void> => {
    if (released) return;
    released = true;
    try {
      await source.close();
    } finally {
      await release();
    }
  };

  try {
    const header = withoutTrailingBlanks(headerRow.cells);
    if (header.length > limits.maxColumns) {
      throw readErrors.tooManyColumns(limits.maxColumns, header.length, headerRow.rowNumber);
    }
    const second = await source.nextNonBlank();
    const hintRowSkipped = second !== null && isHintRow(second.cells, header.length);
    // A header with nothing under it is refused like an empty file: an import of 0 rows helps nobody.
    let pending = hintRowSkipped ? await source.nextNonBlank() : second;
    if (pending === null) throw readErrors.fileEmpty('no_data_rows');
    let started = false;

    const shape = (row: RawRow): TabularRow => {
      const cells = withoutTrailingBlanks(row.cells, header.length);
      if (cells.length > limits.maxColumns) {
        throw readErrors.tooManyColumns(limits.maxColumns, cells.length, row.rowNumber);
      }
      while (cells.length < header.length) cells.push('');
      return row.problems
        ? { rowNumber: row.rowNumber, cells, problems: row.problems }
        : { rowNumber: row.rowNumber, cells };
    };

    async function* rows(): AsyncGenerator<TabularRow> {
      if (started) throw new Error('The rows of a tabular file can be read only once.');
      started = true;
      let dataRows = 0;
      try {
        for (;;) {
          // Checked per row too: rows already parsed from the current chunk must not outlive an abort.
          signal?.throwIfAborted();
          const row = pending ?? source.takeNonBlank() ?? (await source.nextNonBlank());
          pending = null;
          if (row === null) return;
          dataRows++;
          if (dataRows > limits.maxRows) throw readErrors.tooManyRows(limits.maxRows, row.rowNumber);
          yield shape(row);
        }
      } finally {
        await close();
      }
    }

    return { header, headerRowNumber: headerRow.rowNumber, hintRowSkipped, rows, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * A workbook's rows must be on one sheet: the first sheet (in `order`) with a non-blank row wins.
 * Returns that sheet's position, its open row stream and its first non-blank row.
 */
export async function firstNonEmptySheet(
  order: readonly number[],
  openSheet: (index: number) => RowBatches,
): Promise<{ index: number; rows: RowCursor; firstRow: RawRow } | null> {
  for (const index of order) {
    const rows = new RowCursor(openSheet(index));
    let firstRow: RawRow | null;
    try {
      firstRow = await rows.nextNonBlank();
    } catch (error) {
      await rows.close();
      throw error;
    }
    if (firstRow) return { index, rows, firstRow };
    await rows.close();
  }
  return null;
}
