/**
 * Text normalisation shared by every input path: trimmed, Unicode NFC, and free of the invisible
 * characters that spreadsheets and copy-paste leave behind (zero-width spaces, BOMs, bidi marks,
 * soft hyphens). Non-breaking spaces become plain spaces so that trimming sees them. Line breaks
 * are stored as \n whatever the source used (\r\n, \r): XLSX cannot carry a \r (XML reads it as
 * \n), so a stored \r would make every XLSX round trip report the value as changed.
 */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const NBSP = /[\u00A0\u2007\u202F]/g;
// C0/C1 control characters other than tab, newline and carriage return.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

const CR_LINE_BREAK = /\r\n?/g;
// Printable ASCII only: NFC leaves it as it is and none of the characters above is in it, so
// trimming is all there is to do. Most cells of most files are such text; this skips five passes.
const PLAIN_ASCII = /^[\x20-\x7E]*$/;

export function normalizeText(value: string): string {
  if (PLAIN_ASCII.test(value)) return value.trim();
  return value
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(CONTROL, '')
    .replace(NBSP, ' ')
    .replace(CR_LINE_BREAK, '\n')
    .trim();
}

/** Normalised text, or null when nothing is left. */
export function normalizeOptional(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const out = normalizeText(value);
  return out === '' ? null : out;
}

/** Lower-case key used for case-insensitive uniqueness and prefix search. */
export function foldKey(value: string): string {
  return normalizeText(value).toLowerCase();
}
