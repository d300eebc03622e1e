import { AppError } from '../../errors.js';

/**
 * The errors of the file-reading layer. Codes are stable; every message says what was expected and
 * what to do, and the details carry the limit and the value that broke it so that a UI or the CLI can
 * word it its own way.
 */
const MB = 1024 * 1024;
const KB = 1024;
/** A size as an admin reads it: in KB below a megabyte, so that a lowered limit is not "0.0 MB". */
export const sizeText = (bytes: number): string =>
  bytes < MB
    ? `${(bytes / KB).toFixed(bytes < 10 * KB ? 1 : 0)} KB`
    : `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
const SAVE_AS =
  'Save the data again from a spreadsheet program as .xlsx, .ods or CSV (UTF-8) and upload that.';

export const readErrors = {
  fileEmpty: (detail: 'no_bytes' | 'no_rows' | 'no_data_rows') =>
    new AppError(
      'import.file_empty',
      422,
      detail === 'no_bytes'
        ? 'The file is empty (0 bytes). Upload a CSV, XLSX or ODS file with a header row and data rows.'
        : detail === 'no_rows'
          ? 'The file has no rows with data. Upload a file with a header row and at least one data row.'
          : "The file has a header row but no data rows under it (a template's hint row does not count). Add at least one row of data under the header and upload it again.",
      { reason: detail },
    ),

  fileUnreadable: (expected: string, found: string, details: Record<string, unknown> = {}) =>
    new AppError(
      'import.file_unreadable',
      422,
      `This file cannot be read as ${expected}: ${found}. ${SAVE_AS}`,
      { expected, found, ...details },
    ),

  fileRejected: (reason: string, details: Record<string, unknown> = {}) =>
    new AppError('import.file_rejected', 422, `This file was rejected: ${reason}. ${SAVE_AS}`, {
      reason,
      ...details,
    }),

  fileTooLarge: (limitBytes: number, actualBytes: number) =>
    new AppError(
      'import.file_too_large',
      413,
      `The file is ${sizeText(actualBytes)}; the limit is ${sizeText(limitBytes)}. ` +
        'Split it into smaller files and import them one after the other: "roster import FILE --split" does both.',
      { limit: limitBytes, actual: actualBytes },
    ),

  tooManyRows: (limit: number, rowNumber: number) =>
    new AppError(
      'import.too_many_rows',
      422,
      `The file has more than ${limit.toLocaleString('en-US')} data rows (row ${rowNumber} is data row ${
        limit + 1
      }). Split it into files of at most ${limit.toLocaleString('en-US')} rows and import them one after the other: "roster import FILE --split" does both.`,
      { limit, actual: limit + 1, rowNumber },
    ),

  tooManyColumns: (limit: number, actual: number, rowNumber: number) =>
    new AppError(
      'import.too_many_columns',
      422,
      `Row ${rowNumber} has ${actual} columns; at most ${limit} are allowed. ` +
        'Remove the columns that are not needed for the import.',
      { limit, actual, rowNumber },
    ),

  /** A structural limit of a workbook: nesting, elements, sheets, shared strings. */
  workbookTooComplex: (what: string, limit: number, actual: number, details: Record<string, unknown> = {}) =>
    new AppError(
      'import.file_rejected',
      422,
      `This file was rejected: ${what} (at most ${limit.toLocaleString('en-US')} allowed). ` +
        'Spreadsheets written by Excel, LibreOffice or Google Sheets never come close; ' +
        'copy the data into a new workbook, or save it as CSV (UTF-8), and upload that.',
      { reason: what, limit, actual, ...details },
    ),

  readTimeout: (limitSeconds: number) =>
    new AppError(
      'import.read_timeout',
      422,
      `Reading the file took longer than ${limitSeconds} seconds, so it was stopped. ` +
        'Split it into smaller files ("roster import FILE --split" does), or save it again as CSV (UTF-8).',
      { limitSeconds },
    ),

  readOutOfMemory: (limitMb: number) =>
    new AppError(
      'import.file_rejected',
      422,
      `This file was rejected: reading it needs more than the ${limitMb} MB of memory allowed for one file. ` +
        'Split it into smaller files ("roster import FILE --split" does), or save it again as CSV (UTF-8).',
      { reason: 'memory', limitMb },
    ),

  busy: (limit: number, retryAfterSeconds: number) =>
    new AppError(
      'import.server_busy',
      503,
      `The server is already reading ${limit} uploaded file${limit === 1 ? '' : 's'}, its limit. ` +
        `Try again in ${retryAfterSeconds} seconds.`,
      { limit, retryAfterSeconds },
    ),

  tooMuchData: (limitBytes: number, rowNumber: number) =>
    new AppError(
      'import.too_much_data',
      422,
      `The file's cells hold more than ${sizeText(limitBytes)} of text by row ${rowNumber}, more than one import stages. ` +
        'Split it into smaller files and import them one after the other: "roster import FILE --split" does both.',
      { limit: limitBytes, rowNumber },
    ),

  cellTooLarge: (
    limit: number,
    actual: number,
    where: {
      rowNumber?: number;
      column?: number;
      what: 'cell' | 'row';
      workbook?: boolean;
      quoteOpenedAtLine?: number;
    },
  ) =>
    new AppError(
      'import.cell_too_large',
      422,
      `${
        where.what === 'row'
          ? `A row${where.rowNumber === undefined ? '' : ` (row ${where.rowNumber})`} is longer`
          : `A cell${where.rowNumber === undefined ? '' : ` in row ${where.rowNumber}`}${
              where.column === undefined ? '' : `, column ${where.column}`
            } is longer`
      } than ${limit.toLocaleString('en-US')} characters. ` +
        (where.quoteOpenedAtLine !== undefined
          ? `A quote opened at line ${where.quoteOpenedAtLine} is not closed before it; close it (write "" for a quote inside a quoted cell) and upload the file again.`
          : '') +
        (where.quoteOpenedAtLine !== undefined
          ? ''
          : where.what === 'row' && where.workbook
            ? 'Shorten its cells, or remove the columns that are not needed for the import.'
            : where.what === 'row'
              ? 'This usually means a CSV file with a missing closing quote, or without line breaks.'
              : 'Shorten it, or remove data that does not belong in the import.'),
      { limit, actual, ...where },
    ),

  unclosedQuote: (line: number, rowNumber: number, column: number) =>
    new AppError(
      'import.unclosed_quote',
      422,
      `The quote that opens column ${column} of row ${rowNumber}, at line ${line}, is never closed, so the rest of the file would be one cell. ` +
        'Close the quote (a quote inside a quoted cell is written "") or remove it, and upload the file again.',
      { line, rowNumber, column },
    ),

  sheetNotFound: (sheet: string, sheetNames: readonly string[]) =>
    new AppError(
      'import.sheet_not_found',
      422,
      `The workbook has no sheet "${sheet}" with data. Its sheets: ${sheetNames.map((n) => `"${n}"`).join(', ')}.`,
      { sheet, sheetNames: [...sheetNames] },
    ),
};
