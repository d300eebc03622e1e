/** The public shapes of the file-reading layer. */

export type TabularFormat = 'csv' | 'xlsx' | 'ods';
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'macintosh';
export const TEXT_ENCODINGS: readonly TextEncodingName[] = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'windows-1252',
  'macintosh',
];
export type CsvDelimiter = ',' | ';' | '\t' | '|';
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t', '|'];
export type LineEnding = 'CRLF' | 'LF' | 'CR';

/**
 * Something the reader could not read exactly, or had to guess, in one row: it becomes a problem
 * of the staged row (see create-import), so that nothing read inexactly passes unseen.
 */
export interface ReadProblem {
  /** 0-based column, or null for the row as a whole. */
  column: number | null;
  code: string;
  message: string;
  /** `error`: the cell's value is not what the file meant (it must be fixed); `warning`: read as Excel does. */
  severity: 'error' | 'warning';
}

export interface OpenTabularFileOptions {
  /** The name the file was uploaded under; its extension is a hint, the content decides. */
  fileName?: string;
  /** Largest accepted file, in bytes (default 20 MB). Checked before anything is parsed. */
  maxBytes?: number;
  /** Largest number of data rows (header, hint row and blank rows do not count; default 100,000). */
  maxRows?: number;
  /** Largest number of columns in any row (default 500). */
  maxColumns?: number;
  /** Longest cell, in characters (default 1,000,000). A row (CSV record, workbook row) may be up to 4× this. */
  maxCellChars?: number;
  /**
   * Most bytes inflated from an XLSX/ODS archive. Default: 100× the file size, at least 64 MB and
   * at most 512 MB. Above it the file is treated as a zip bomb.
   */
  maxUncompressedBytes?: number;
  /** Deepest nesting of XML elements in a workbook part (default 64). */
  maxXmlDepth?: number;
  /** Most XML elements in one workbook part (default 40 million). */
  maxXmlElements?: number;
  /** Most sheets (XLSX) or tables (ODS) in a workbook (default 1,000). */
  maxSheets?: number;
  /**
   * Characters of an XLSX shared string table, each string counting 16 more for what holding it
   * costs (default 48 million).
   */
  maxSharedStringChars?: number;
  /** Stops reading: the pending or next read rejects with the signal's reason. */
  signal?: AbortSignal;
  /** CSV: read in this encoding instead of the detected one. */
  encoding?: TextEncodingName;
  /** CSV: split cells at this delimiter instead of the detected one. */
  delimiter?: CsvDelimiter;
  /** Workbooks: read this sheet (by name) instead of the first visible one with data. */
  sheet?: string;
}

export interface TabularRow {
  /** 1-based row of the file as the admin sees it in Excel (CSV: the record number). */
  rowNumber: number;
  /** Cell texts as the file held them; padded with '' to the header's width, never trimmed inside. */
  cells: string[];
  /** What could not be read exactly in this row; absent when everything was. */
  problems?: ReadProblem[];
}

export interface SheetChoice {
  name: string;
  /** 0-based position of the sheet in the workbook. */
  index: number;
  /** Every sheet of the workbook, in order, so that the UI can show which one was used. */
  sheetNames: string[];
  /**
   * The other visible sheets that hold data (XLSX: known at once; ODS: complete once the rows
   * are read), which could be read instead with the `sheet` option.
   */
  otherSheetsWithData: string[];
}

export interface TabularSource {
  format: TabularFormat;
  /** CSV only. */
  encoding?: TextEncodingName;
  /** CSV only: whether the file started with a byte order mark. */
  byteOrderMark?: boolean;
  /** CSV only. */
  delimiter?: CsvDelimiter;
  /** CSV only: the line ending outside quotes (null for a file of one line). */
  lineEnding?: LineEnding | null;
  /** CSV only: the encoding and delimiter were detected (false: given by the caller). */
  detected?: { encoding: boolean; delimiter: boolean };
  /** CSV only: Excel's `sep=` first line named the delimiter and was skipped. */
  sepLine?: boolean;
  /** CSV only: bytes that are not valid in the encoding were read as U+FFFD (rows with them carry a problem). */
  invalidBytes?: number;
  /** Workbooks only: the sheet the rows come from. */
  sheet?: SheetChoice;
  /** The first non-blank row, trailing empty cells removed. */
  header: string[];
  headerRowNumber: number;
  /** The template's second row (`Required` / `Optional: …`) was recognised and skipped. */
  hintRowSkipped: boolean;
  /** The data rows, streamed; blank rows are left out. Can be iterated once. */
  rows(): AsyncIterable<TabularRow>;
  /** Releases the file. Needed only when rows() is not iterated to the end. */
  close(): Promise<void>;
}

/** What is known of a file once it is open: everything but its rows. */
export type TabularMeta = Omit<TabularSource, 'rows' | 'close'>;

/** Adds a problem to a row's list, starting the list when it has none. */
export function addReadProblem(row: { problems?: ReadProblem[] }, problem: ReadProblem): void {
  if (row.problems) row.problems.push(problem);
  else row.problems = [problem];
}
