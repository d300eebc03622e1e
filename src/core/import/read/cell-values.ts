/**
 * Turning typed spreadsheet values into the strings an admin would type. Pure functions, shared by
 * the XLSX and ODS readers. Field parsers downstream read these strings; nothing here guesses types.
 */

/** Excel and LibreOffice keep 15 significant digits; digits past that are binary noise (0.1+0.2). */
const SIGNIFICANT_DIGITS = 15;
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const plainFormatter = new Intl.NumberFormat('en-US', {
  useGrouping: false,
  maximumSignificantDigits: SIGNIFICANT_DIGITS,
});

function countSignificantDigits(plain: string): number {
  const digits = plain.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return digits.length;
}

/**
 * A number as plain text: no exponent, no grouping, no float noise. Integers keep every digit the
 * file wrote (an ID written by a script as a 19-digit number survives); fractions are cut to the 15
 * significant digits a spreadsheet shows.
 */
export function plainNumberText(raw: string): string {
  const text = raw.trim();
  if (PLAIN_DECIMAL.test(text)) {
    const [whole = '', fraction] = text.split('.');
    if (fraction === undefined) return normaliseInteger(whole);
    const trimmedFraction = fraction.replace(/0+$/, '');
    const candidate =
      trimmedFraction === ''
        ? normaliseInteger(whole)
        : `${normaliseInteger(whole, true)}.${trimmedFraction}`;
    if (countSignificantDigits(candidate) <= SIGNIFICANT_DIGITS) return candidate;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return text;
  const formatted = plainFormatter.format(value);
  return formatted === '-0' ? '0' : formatted;
}

function normaliseInteger(whole: string, keepSignOfZero = false): string {
  const negative = whole.startsWith('-');
  const digits = whole.replace(/^-/, '').replace(/^0+(?=\d)/, '');
  if (digits === '0' && !keepSignOfZero) return '0';
  return negative ? `-${digits}` : digits;
}

export type DateKind = 'date' | 'time';

const BUILT_IN_DATE_FORMATS = new Map<number, DateKind>([
  [14, 'date'],
  [15, 'date'],
  [16, 'date'],
  [17, 'date'],
  [18, 'time'],
  [19, 'time'],
  [20, 'time'],
  [21, 'time'],
  [22, 'date'],
  [45, 'time'],
  [46, 'time'],
  [47, 'time'],
  // East Asian locale date formats.
  [27, 'date'],
  [28, 'date'],
  [29, 'date'],
  [30, 'date'],
  [31, 'date'],
  [32, 'time'],
  [33, 'time'],
  [34, 'time'],
  [35, 'time'],
  [36, 'date'],
  [50, 'date'],
  [51, 'date'],
  [52, 'date'],
  [53, 'date'],
  [54, 'date'],
  [55, 'date'],
  [56, 'date'],
  [57, 'date'],
  [58, 'date'],
]);

/**
 * Whether an Excel number format shows a date or a time. Quoted text, escaped characters, colours
 * and locale tags are ignored; `[h]`/`[mm]`/`[ss]` (elapsed time) count as time.
 */
export function dateKindOfFormat(numFmtId: number, formatCode: string | undefined): DateKind | null {
  if (formatCode === undefined) return BUILT_IN_DATE_FORMATS.get(numFmtId) ?? null;
  const firstSection = formatCode.split(';')[0] ?? '';
  const stripped = firstSection
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[(h+|m+|s+)\]/gi, '$1')
    .replace(/\[[^\]]*\]/g, '');
  if (/general/i.test(stripped) || stripped.includes('@')) return null;
  if (/[dy]/i.test(stripped)) return 'date';
  // A lone `m`/`mm` is a month unless it sits beside hours or seconds.
  if (/[hs]/i.test(stripped)) return 'time';
  if (/m/i.test(stripped)) return 'date';
  return null;
}

const MS_PER_DAY = 86_400_000;
/** Day 0 of the 1900 system is 1899-12-31, but Excel counts a 29 February 1900 that never was. */
const EPOCH_1900_BEFORE_LEAP_BUG = Date.UTC(1899, 11, 31);
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function isoFromUtcMs(ms: number, kind: DateKind): string {
  const date = new Date(ms);
  const msOfDay = ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  const time =
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    (date.getUTCMilliseconds() === 0 ? '' : `.${pad(date.getUTCMilliseconds(), 3)}`);
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  if (kind === 'time') return time;
  return msOfDay === 0 ? day : `${day}T${time}`;
}

/**
 * An Excel serial date as ISO 8601 without a time zone (spreadsheets have none): `YYYY-MM-DD` at
 * midnight, `YYYY-MM-DDTHH:mm:ss` otherwise, `HH:mm:ss` for a time-only format below one day.
 */
/** 9999-12-31, the last day Excel can show; beyond it, or before day 0, a "date" is just a number. */
const LAST_SERIAL = 2_958_465;

export function excelSerialToIso(serial: number, kind: DateKind, date1904: boolean): string {
  if (!Number.isFinite(serial) || serial < 0 || serial > LAST_SERIAL) return plainNumberText(String(serial));
  if (kind === 'time' && serial >= 0 && serial < 1)
    return isoFromUtcMs(Math.round(serial * MS_PER_DAY), 'time');
  const epoch = date1904 ? EPOCH_1904 : serial < 61 ? EPOCH_1900_BEFORE_LEAP_BUG : EPOCH_1900;
  // Whole milliseconds: time fractions like 0.395833333333333 land exactly on 09:30:00.
  return isoFromUtcMs(epoch + Math.round(serial * MS_PER_DAY), 'date');
}

const ISO_DATE_TIME =
  /^(-?\d{4,}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO date-time from a file (ODS `office:date-value`, XLSX `t="d"`), midnight shortened to the date. */
export function normaliseIsoDateTime(raw: string): string {
  const text = raw.trim();
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return text;
  const [, day, hours = '00', minutes = '00', seconds = '00', fraction = '', zone = ''] = match;
  const fractionDigits = fraction.replace(/0+$/, '');
  if (hours === '00' && minutes === '00' && seconds === '00' && fractionDigits === '') return day!;
  return `${day}T${hours}:${minutes}:${seconds}${fractionDigits === '' ? '' : `.${fractionDigits}`}${zone}`;
}

const ISO_DURATION = /^-?P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/;

/** An ODS `office:time-value` (`PT09H30M00S`) as `HH:mm:ss`; hours may exceed 24 for durations. */
export function isoDurationToTime(raw: string): string {
  const match = ISO_DURATION.exec(raw.trim());
  if (!match) return raw.trim();
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  const totalHours = Number(days) * 24 + Number(hours);
  const [wholeSeconds = '0', fraction = ''] = seconds.split('.');
  const fractionDigits = fraction.replace(/0+$/, '');
  return `${pad(totalHours)}:${pad(Number(minutes))}:${pad(Number(wholeSeconds))}${
    fractionDigits === '' ? '' : `.${fractionDigits}`
  }`;
}

export const booleanText = (value: boolean): string => (value ? 'TRUE' : 'FALSE');

/**
 * A number format that pads or shapes whole numbers with literal text, as IDs and postcodes are
 * formatted (`00000`, `000-000`, `"ID-"0000`): its placeholders and literals, or null for any
 * other format (General, decimals, thousands separators, percentages, currencies, dates keep the
 * plain-number reading).
 */
export type DigitPattern = readonly (string | 0 | 1)[];

export function digitPatternOf(formatCode: string | undefined): DigitPattern | null {
  if (formatCode === undefined) return null;
  const section = formatCode.split(';')[0] ?? '';
  const pattern: (string | 0 | 1)[] = [];
  let zeros = 0;
  for (let i = 0; i < section.length; i++) {
    const char = section[i]!;
    if (char === '0') {
      pattern.push(0);
      zeros++;
    } else if (char === '#') {
      pattern.push(1);
    } else if (char === '"') {
      const end = section.indexOf('"', i + 1);
      if (end === -1) return null;
      pattern.push(section.slice(i + 1, end));
      i = end;
    } else if (char === '\\') {
      pattern.push(section[i + 1] ?? '');
      i++;
    } else if (char === '-' || char === ' ' || char === '/' || char === '(' || char === ')') {
      pattern.push(char);
    } else {
      // `.`, `,`, `%`, `E`, `$`, `[…]`, `@`, `?`, letters: not a padded whole number.
      return null;
    }
  }
  // `0` alone (and `#`) shows a number as it is: only a second zero pads.
  return zeros >= 2 ? pattern : null;
}

/** A non-negative whole number as a digit pattern shows it (Excel: extra digits go to the first placeholder). */
export function formatDigits(raw: string, pattern: DigitPattern): string | null {
  const text = raw.trim();
  if (!/^\d+(\.0*)?$/.test(text)) return null;
  let digits = text.replace(/\.0*$/, '').replace(/^0+(?=\d)/, '');
  if (digits === '0') digits = '';
  const placeholders = pattern.filter((part) => typeof part === 'number').length;
  let next = digits.length - 1;
  let seen = 0;
  const out: string[] = new Array(pattern.length);
  for (let i = pattern.length - 1; i >= 0; i--) {
    const part = pattern[i]!;
    if (typeof part === 'string') {
      out[i] = part;
      continue;
    }
    seen++;
    let piece = next >= 0 ? digits[next--]! : part === 0 ? '0' : '';
    if (seen === placeholders && next >= 0) piece = digits.slice(0, next + 1) + piece;
    out[i] = piece;
  }
  return out.join('');
}
