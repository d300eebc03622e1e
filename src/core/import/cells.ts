import { checkEmail } from '../domain/email.js';
import { suggestName } from '../domain/roles.js';
import { normalizeText } from '../domain/text.js';
import { type DateOrder, readOrderedDate } from './dates.js';
import { unneutralizeCell } from './export.js';
import type { TargetField } from './target.js';

/**
 * Reading one cell for one field: the file's text in, a typed value or a problem out. Cells stay
 * the strings the file held until this point, so nothing is coerced by accident.
 */
export type CellValue = string | string[] | number | boolean | null;
export type CellRead =
  | { ok: true; value: CellValue }
  | { ok: false; code: string; message: string; suggestion?: string };

const MULTI_SEPARATOR = /[;|]/;
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'x', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off']);

/** `dateOrder`: how a date field reads `15/02/2025`-style values (null: only when the value proves it). */
export function readCell(field: TargetField, raw: string, dateOrder: DateOrder | null = null): CellRead {
  const text = normalizeText(unneutralizeCell(raw));
  if (text === '') return { ok: true, value: null };
  if (field.multi) {
    const parts = [
      ...new Set(
        text
          .split(MULTI_SEPARATOR)
          .map(normalizeText)
          .filter((p) => p !== ''),
      ),
    ];
    const values: string[] = [];
    for (const part of parts) {
      const one = readSingle(field, part, dateOrder);
      if (!one.ok) return one;
      values.push(String(one.value));
    }
    return { ok: true, value: values.length === 0 ? null : values };
  }
  return readSingle(field, text, dateOrder);
}

function readSingle(field: TargetField, text: string, dateOrder: DateOrder | null): CellRead {
  if (field.maxLength !== undefined && text.length > field.maxLength) {
    return fail(
      'value.too_long',
      `is ${text.length} characters long; the most allowed is ${field.maxLength}.`,
    );
  }
  switch (field.type) {
    case 'text':
      return { ok: true, value: text };
    case 'email': {
      const problem = checkEmail(text);
      if (problem === 'too_long') return fail('email.too_long', 'is longer than 254 characters.');
      if (problem)
        return fail('email.invalid', `"${text}" is not a valid email address (like name@company.com).`);
      return { ok: true, value: text };
    }
    case 'enum':
      return readEnum(field, text);
    case 'number': {
      const n = readNumber(text);
      return n === null ? fail('number.invalid', `"${text}" is not a number.`) : { ok: true, value: n };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE_WORDS.has(lower)) return { ok: true, value: true };
      if (FALSE_WORDS.has(lower)) return { ok: true, value: false };
      return fail('boolean.invalid', `"${text}" is not yes/no (use TRUE or FALSE, yes or no).`);
    }
    case 'date': {
      const iso = readDate(text);
      if (iso !== null) return { ok: true, value: iso };
      const ordered = readOrderedDate(text, dateOrder);
      if (ordered === null)
        return fail(
          'date.invalid',
          `"${text}" is not a date; write it as YYYY-MM-DD (or use an Excel date cell).`,
        );
      return ordered.ok ? { ok: true, value: ordered.iso } : fail(ordered.code, ordered.message);
    }
  }
}

function readEnum(field: TargetField, text: string): CellRead {
  const allowed = field.allowed ?? [];
  const exact = allowed.find((a) => a === text);
  if (exact !== undefined) return { ok: true, value: exact };
  if (!field.caseSensitive) {
    const folded = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
    if (folded !== undefined) return { ok: true, value: folded };
  }
  const suggestion = suggestName(text, allowed);
  const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
  const message = `"${text}" is not allowed; use one of: ${allowed.join(', ')}.${hint}`;
  return suggestion
    ? { ok: false, code: 'value.not_allowed', message, suggestion }
    : fail('value.not_allowed', message);
}

export function readNumber(text: string): number | null {
  let s = text.replace(/[\s\u00A0]/g, '');
  // One comma and no dot: a decimal comma (1,5). Otherwise commas are thousands separators.
  if (/^-?\d+,\d+$/.test(s)) s = s.replace(',', '.');
  else if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/**
 * ISO dates (with or without a time), and Excel serial day numbers (a date cell read without its
 * format). Ambiguous forms such as 03/04/2024 are refused rather than guessed.
 */
export function readDate(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (iso) return validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (/^\d{1,7}(\.\d+)?$/.test(text)) {
    const serial = Math.floor(Number(text));
    // 1 = 1900-01-01; Excel counts a 29 Feb 1900 that never was, so serials from 61 on use the 1899-12-30 epoch.
    if (serial < 1 || serial > 2_958_465) return null;
    const ms = serial < 61 ? Date.UTC(1899, 11, 31) + serial * DAY_MS : EXCEL_EPOCH + serial * DAY_MS;
    return new Date(ms).toISOString().slice(0, 10);
  }
  return null;
}

function validDate(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

function fail(code: string, message: string): CellRead {
  return { ok: false, code, message };
}
