/**
 * Cells written to result files are data, never formulas. In CSV a cell that a spreadsheet would
 * evaluate (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, which
 * spreadsheets read as "text follows"; reading such a file back removes it again, so a failure
 * file can be fixed and uploaded as is. XLSX cells are written as strings, which are never evaluated.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * CSV cells holding a character that a spreadsheet may take for the list separator are written in
 * quotes: `;` (Excel's separator in much of Europe), `|` and a tab. Unquoted, `x;=1+1` would open
 * as two cells, the second a formula that the leading apostrophe above never saw.
 */
export const CSV_QUOTED_CELL = /[;|\t]/;

export function neutralizeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Undoes `neutralizeCell` on the way in. */
export function unneutralizeCell(value: string): string {
  return value.length > 1 && value[0] === "'" && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export type ResultFileKind = 'success' | 'failure';
export const ERROR_COLUMN = 'error';
export const RESULT_ID_COLUMN = 'user_id';
/** What the commit did with the row; named apart from the users' Action column, so a success file uploads back. */
export const RESULT_ACTION_COLUMN = 'result';
/** The row's number in the uploaded file (as a spreadsheet numbers it), in both result files. */
export const ROW_COLUMN = 'row';
/** On imports grouped by owner: the email of the row's owner (empty when it matched none). */
export const OWNER_COLUMN = 'owner';
/** In the success file: each value stored otherwise than the file wrote it (`Column: "file" → stored`). */
export const STORED_COLUMN = 'stored as';
/** In the success file: what an update changed, before → after (`last_name: Smith → Smyth; roles: +Manager`). */
export const CHANGES_COLUMN = 'changes';
