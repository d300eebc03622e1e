import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { normalizeText } from '../core/domain/text.js';
import { type OpenTabularFileOptions, openTabularFile, type ReadProblem } from '../core/import/read/index.js';

/** One part of a split file. */
export interface SplitPart {
  file: string;
  rows: number;
  bytes: number;
  /** The rows of the original file it holds, as the admin sees them in a spreadsheet. */
  firstRow: number;
  lastRow: number;
}

export interface SplitOptions {
  /** Most data rows in a part (the header is repeated in each and does not count). */
  maxRows: number;
  /** Largest part, in bytes. */
  maxBytes: number;
  /** Folder the parts are written to; created when missing. */
  outDir: string;
  /** Read the file in this encoding, with this delimiter, or this sheet, instead of the detected ones. */
  read?: Pick<OpenTabularFileOptions, 'encoding' | 'delimiter' | 'sheet'>;
  /**
   * Called for each cell or row the reader could not read exactly (bad bytes, a quote read as
   * Excel reads it, a formula without a value): the parts hold what was read, so say so.
   */
  onProblem?: (rowNumber: number, problem: ReadProblem) => void;
  /**
   * Rows grouped by owner (record files): the column naming each row's owner, and the most owners
   * a part may hold. Each owner's rows then go to one part (in file order), and no part holds more
   * owners than that; an owner with more rows than a part takes cannot be split and is refused.
   */
  groupBy?: { column: (header: readonly string[]) => number; maxGroups: number };
}

/** Excel reads a CSV as UTF-8 only when it starts with this mark; Roster reads it either way. */
const BOM = '\uFEFF';

/**
 * Splits a CSV, TSV, XLSX or ODS file into UTF-8 CSV parts small enough for the server's limits,
 * each with the header row, read and written as streams. Cells are copied as the import reads them
 * (encodings decoded, workbook cells as displayed, the template's hint row and blank rows left out),
 * so each part imports as that stretch of the file would.
 */
export async function splitFile(file: string, options: SplitOptions): Promise<SplitPart[]> {
  if (!Number.isInteger(options.maxRows) || options.maxRows < 1) {
    throw new Error(`The rows per part must be a whole number of at least 1, not ${options.maxRows}.`);
  }
  if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1) {
    throw new Error(`The bytes per part must be a whole number of at least 1, not ${options.maxBytes}.`);
  }
  const source = await openTabularFile(file, {
    fileName: path.basename(file),
    // The file is split because it is over the server's limits: read it whole, whatever its size.
    maxBytes: Number.POSITIVE_INFINITY,
    maxRows: Number.POSITIVE_INFINITY,
    ...options.read,
  });
  const header = Buffer.from(
    BOM +
      stringify([source.header], {
        record_delimiter: 'windows',
        // A line break of any kind inside a cell is quoted, or the part would split the row.
        quoted_match: /[\r\n]/,
      }),
  );
  if (header.length >= options.maxBytes) {
    await source.close();
    throw new Error(
      `The header row alone is ${header.length} bytes, over the ${options.maxBytes} allowed per part.`,
    );
  }
  fs.mkdirSync(options.outDir, { recursive: true });
  if (options.groupBy) {
    await source.close();
    return splitByGroup(file, options, options.groupBy, header);
  }
  const name = path.parse(file).name;
  const parts: SplitPart[] = [];
  let out: fs.WriteStream | null = null;
  let current: SplitPart | null = null;

  const finish = async () => {
    if (!out || !current) return;
    const stream = out;
    await new Promise<void>((resolve, reject) =>
      stream.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
    parts.push(current);
    out = null;
    current = null;
  };
  const write = async (bytes: Buffer) => {
    if (!out!.write(bytes)) await new Promise<void>((resolve) => out!.once('drain', () => resolve()));
  };

  try {
    for await (const row of source.rows()) {
      for (const problem of row.problems ?? []) options.onProblem?.(row.rowNumber, problem);
      const line = Buffer.from(
        stringify([row.cells.slice(0, Math.max(source.header.length, lastFilled(row.cells) + 1))], {
          record_delimiter: 'windows',
          // A line break of any kind inside a cell is quoted, or the part would split the row.
          quoted_match: /[\r\n]/,
        }),
      );
      if (header.length + line.length > options.maxBytes) {
        throw new Error(
          `Row ${row.rowNumber} alone is ${line.length} bytes: with the header it is over the ${options.maxBytes} allowed per part.`,
        );
      }
      if (current && (current.rows >= options.maxRows || current.bytes + line.length > options.maxBytes)) {
        await finish();
      }
      if (!current) {
        const partFile = path.join(
          options.outDir,
          `${name}-part-${String(parts.length + 1).padStart(3, '0')}.csv`,
        );
        if (fs.existsSync(partFile)) {
          throw new Error(`${partFile} exists already: remove it, or choose another folder with --out.`);
        }
        out = fs.createWriteStream(partFile, { flags: 'wx' });
        current = {
          file: partFile,
          rows: 0,
          bytes: header.length,
          firstRow: row.rowNumber,
          lastRow: row.rowNumber,
        };
        await write(header);
      }
      await write(line);
      current.rows++;
      current.bytes += line.length;
      current.lastRow = row.rowNumber;
    }
    await finish();
  } catch (e) {
    // Nothing half-done is left behind: the parts written so far go too.
    (out as fs.WriteStream | null)?.destroy();
    await source.close();
    for (const f of [...parts.map((p) => p.file), ...(current ? [(current as SplitPart).file] : [])]) {
      fs.rmSync(f, { force: true });
    }
    throw e;
  }
  return parts;
}

/** A row as a part's CSV line. */
function csvLine(cells: readonly string[], width: number): Buffer {
  return Buffer.from(
    stringify([cells.slice(0, Math.max(width, lastFilled(cells) + 1))], {
      record_delimiter: 'windows',
      // A line break of any kind inside a cell is quoted, or the part would split the row.
      quoted_match: /[\r\n]/,
    }),
  );
}

/** How an owner's value is compared: as the import compares emails and employee numbers, loosely. */
const groupKey = (value: string) => normalizeText(value).toLowerCase();

/**
 * Splits keeping each owner's rows in one part: a first pass counts every owner's rows and bytes,
 * owners are then given to parts in the order they first appear (a part closes when the next owner
 * would take it over the rows, bytes or owners allowed), and a second pass writes each row to its
 * owner's part, in file order.
 */
async function splitByGroup(
  file: string,
  options: SplitOptions,
  groupBy: { column: (header: readonly string[]) => number; maxGroups: number },
  header: Buffer,
): Promise<SplitPart[]> {
  let column = -1;
  const read = () =>
    openTabularFile(file, {
      fileName: path.basename(file),
      maxBytes: Number.POSITIVE_INFINITY,
      maxRows: Number.POSITIVE_INFINITY,
      ...options.read,
    });
  const sizes = new Map<string, { rows: number; bytes: number; firstRow: number }>();
  let width = 0;
  {
    const source = await read();
    width = source.header.length;
    column = groupBy.column(source.header);
    try {
      for await (const row of source.rows()) {
        for (const problem of row.problems ?? []) options.onProblem?.(row.rowNumber, problem);
        const line = csvLine(row.cells, width);
        if (header.length + line.length > options.maxBytes) {
          throw new Error(
            `Row ${row.rowNumber} alone is ${line.length} bytes: with the header it is over the ${options.maxBytes} allowed per part.`,
          );
        }
        const key = groupKey(row.cells[column] ?? '');
        const size = sizes.get(key) ?? { rows: 0, bytes: 0, firstRow: row.rowNumber };
        size.rows++;
        size.bytes += line.length;
        sizes.set(key, size);
      }
    } finally {
      await source.close();
    }
  }
  // Owners to parts, in the order they first appear.
  const partOf = new Map<string, number>();
  const plan: { rows: number; bytes: number; groups: number }[] = [];
  for (const [key, size] of sizes) {
    if (size.rows > options.maxRows || header.length + size.bytes > options.maxBytes) {
      throw new Error(
        `The owner "${key}" has ${size.rows} rows (${size.bytes} bytes), more than one part takes (${options.maxRows} rows, ${options.maxBytes} bytes): their rows cannot be kept together. Import them in a file of their own, in pieces.`,
      );
    }
    const last = plan[plan.length - 1];
    if (
      last &&
      last.rows + size.rows <= options.maxRows &&
      last.bytes + size.bytes <= options.maxBytes &&
      last.groups < groupBy.maxGroups
    ) {
      last.rows += size.rows;
      last.bytes += size.bytes;
      last.groups++;
    } else plan.push({ rows: size.rows, bytes: header.length + size.bytes, groups: 1 });
    partOf.set(key, plan.length - 1);
  }
  const name = path.parse(file).name;
  const parts: SplitPart[] = plan.map((_, i) => ({
    file: path.join(options.outDir, `${name}-part-${String(i + 1).padStart(3, '0')}.csv`),
    rows: 0,
    bytes: header.length,
    firstRow: 0,
    lastRow: 0,
  }));
  const existing = parts.find((p) => fs.existsSync(p.file));
  if (existing) {
    throw new Error(`${existing.file} exists already: remove it, or choose another folder with --out.`);
  }
  const streams = parts.map((p) => fs.createWriteStream(p.file, { flags: 'wx' }));
  const write = async (i: number, bytes: Buffer) => {
    const out = streams[i]!;
    if (!out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const source = await read();
  try {
    for (let i = 0; i < parts.length; i++) await write(i, header);
    for await (const row of source.rows()) {
      const i = partOf.get(groupKey(row.cells[column] ?? ''))!;
      const line = csvLine(row.cells, width);
      await write(i, line);
      const part = parts[i]!;
      part.rows++;
      part.bytes += line.length;
      if (part.firstRow === 0) part.firstRow = row.rowNumber;
      part.lastRow = row.rowNumber;
    }
    await Promise.all(
      streams.map(
        (out) =>
          new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve()))),
      ),
    );
  } catch (e) {
    for (const out of streams) out.destroy();
    for (const p of parts) fs.rmSync(p.file, { force: true });
    throw e;
  } finally {
    await source.close();
  }
  return parts;
}

/** Index of the last non-empty cell (-1 when none): trailing empty cells beyond the header are dropped. */
function lastFilled(cells: readonly string[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (cells[i] !== '') return i;
  return -1;
}

/** A row of a later part that repeats a unique value of an earlier part. */
export interface Repeat {
  part: number;
  /** The row within its part, as the server numbers it (the header is row 1). */
  row: number;
  /** The part and row that held the value first. */
  firstPart: number;
  firstRow: number;
  column: string;
  value: string;
}

/**
 * Values that must be unique in a file (email, username, …) found again in a later part. The
 * server checks each part on its own, so a repeat across parts would otherwise update (or skip)
 * the user an earlier part created instead of being reported. Compared as the import compares
 * them: normalised text, ignoring case. Holds one entry per distinct value while it reads.
 */
export async function repeatsAcrossParts(
  parts: readonly SplitPart[],
  columns: readonly { index: number; header: string }[],
): Promise<Repeat[]> {
  const seen = columns.map(() => new Map<string, { part: number; row: number }>());
  const repeats: Repeat[] = [];
  for (const [p, part] of parts.entries()) {
    const source = await openTabularFile(part.file, {
      maxBytes: Number.POSITIVE_INFINITY,
      maxRows: Number.POSITIVE_INFINITY,
    });
    for await (const row of source.rows()) {
      columns.forEach((column, c) => {
        const value = normalizeText(row.cells[column.index] ?? '');
        if (value === '') return;
        const key = value.toLowerCase();
        const first = seen[c]!.get(key);
        if (!first) seen[c]!.set(key, { part: p + 1, row: row.rowNumber });
        else if (first.part !== p + 1) {
          repeats.push({
            part: p + 1,
            row: row.rowNumber,
            firstPart: first.part,
            firstRow: first.row,
            column: column.header,
            value,
          });
        }
      });
    }
  }
  return repeats;
}
