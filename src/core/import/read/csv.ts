/**
 * CSV/TSV/TXT: encoding and delimiter detection, then RFC 4180 parsing as a pull stream.
 *
 * Parsing uses papaparse's core `Parser` directly, fed one decoded chunk at a time, exactly as
 * papaparse's own streamers do (unfinished last record carried over). Driving it ourselves gives
 * back-pressure for free (nothing is read until the consumer asks for rows) and lets us bound the
 * unfinished record: a 200 MB file with no line break, or an unclosed quote, fails after the limit
 * instead of being accumulated in memory.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import type { ReadLimits } from './limits.js';
import { readErrors } from './read-errors.js';
import type { RawRow, RowBatches } from './rows.js';
import { encodingFromBom, isWholeFileUtf8, utf16WithoutBom } from './text-encoding.js';
import type { CsvDelimiter, TextEncodingName } from './types.js';

export interface CsvSettings {
  encoding: TextEncodingName;
  byteOrderMark: boolean;
  delimiter: CsvDelimiter;
  newline: '\n' | '\r';
}

/**
 * Chooses the encoding: the byte order mark, else UTF-16 by its zero bytes, else UTF-8 if the whole
 * file is valid UTF-8, else Windows-1252 (every byte means something in it). Zero bytes in any other
 * text mean the file is binary.
 */
export async function detectEncoding(
  filePath: string,
  head: Buffer,
  signal: AbortSignal | undefined,
): Promise<{ encoding: TextEncodingName; byteOrderMark: boolean } | 'binary'> {
  const fromBom = encodingFromBom(head);
  if (fromBom) return { encoding: fromBom, byteOrderMark: true };
  const utf16 = utf16WithoutBom(head);
  if (utf16) return { encoding: utf16, byteOrderMark: false };
  if (head.includes(0)) return 'binary';
  const utf8 = await isWholeFileUtf8(filePath, signal);
  return { encoding: utf8 ? 'utf-8' : 'windows-1252', byteOrderMark: false };
}

// Control characters that never occur in text files (tab, line breaks, form feed and the old DOS
// end-of-file mark do), plus the replacement character a decoder leaves for undecodable bytes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NON_TEXT = /[\u0000-\u0008\u000B\u000E-\u0019\u001B-\u001F\uFFFD]/g;

/** Binary content decoded as text is full of control characters; real text has next to none. */
export function looksBinary(sample: string): boolean {
  if (sample.length === 0) return false;
  const nonText = sample.match(NON_TEXT)?.length ?? 0;
  return nonText > Math.max(1, sample.length * 0.01);
}

const MARKUP = /^\s*<(\?xml|!doctype html|html|table|workbook)\b/i;

/** XML and HTML "spreadsheets" (old Excel exports, reports from web systems) parse as CSV garbage. */
export function looksLikeMarkup(sample: string): boolean {
  return MARKUP.test(sample);
}

export function decodeSample(head: Buffer, encoding: TextEncodingName): string {
  // stream: true drops a character cut in half at the end of the sample instead of inventing U+FFFD.
  return new TextDecoder(encoding).decode(head, { stream: true });
}

export function detectNewline(sample: string): '\n' | '\r' {
  // '\n' also serves CRLF files: the '\r' left at the end of a record is removed after parsing.
  return sample.includes('\n') || !sample.includes('\r') ? '\n' : '\r';
}

const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t', '|'];
const SAMPLE_RECORDS = 50;

/**
 * Fields per record for one candidate delimiter, respecting quotes the way papaparse does (a quote
 * opens a field only at its start; `""` inside quotes is a quote). Lines with nothing but spaces are
 * left out. When the sample stops mid-file its last record is left out too.
 */
function fieldCounts(sample: string, delimiter: string, sampleIsWholeFile: boolean): number[] {
  const counts: number[] = [];
  let fields = 1;
  let atFieldStart = true;
  let inQuotes = false;
  let hasContent = false;
  for (let i = 0; i < sample.length && counts.length < SAMPLE_RECORDS; i++) {
    const char = sample[i];
    if (inQuotes) {
      if (char === '"') {
        if (sample[i + 1] === '"') i++;
        else inQuotes = false;
      }
      continue;
    }
    if (char === '\n' || char === '\r') {
      if (char === '\r' && sample[i + 1] === '\n') i++;
      if (hasContent) counts.push(fields);
      fields = 1;
      atFieldStart = true;
      hasContent = false;
    } else if (char === delimiter) {
      fields++;
      atFieldStart = true;
      hasContent = true;
    } else if (char === '"' && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
      hasContent = true;
    } else if (char !== ' ') {
      atFieldStart = false;
      hasContent = true;
    }
  }
  if (sampleIsWholeFile && hasContent && counts.length < SAMPLE_RECORDS) counts.push(fields);
  return counts;
}

/**
 * The delimiter whose field count is the most consistent across the sampled records (and splits
 * them at all). Ties go to the header's column count, then to the usual order. Cells that contain
 * another candidate (a hint like `Optional: Standard | Privileged`) vary from line to line and lose.
 */
export function detectDelimiter(
  sample: string,
  options: { sampleIsWholeFile: boolean; preferTab: boolean },
): CsvDelimiter {
  const order: readonly CsvDelimiter[] = options.preferTab ? ['\t', ',', ';', '|'] : DELIMITERS;
  let best: { delimiter: CsvDelimiter; consistency: number; headerFields: number } | null = null;
  for (const delimiter of order) {
    const counts = fieldCounts(sample, delimiter, options.sampleIsWholeFile);
    if (counts.length === 0) continue;
    const frequency = new Map<number, number>();
    for (const count of counts) frequency.set(count, (frequency.get(count) ?? 0) + 1);
    let modal = 1;
    let modalFrequency = 0;
    for (const [count, seen] of frequency) {
      if (seen > modalFrequency || (seen === modalFrequency && count > modal)) {
        modal = count;
        modalFrequency = seen;
      }
    }
    if (modal < 2) continue;
    const consistency = modalFrequency / counts.length;
    const headerFields = counts[0] ?? 1;
    if (
      !best ||
      consistency > best.consistency ||
      (consistency === best.consistency && headerFields > 1 && best.headerFields === 1)
    ) {
      best = { delimiter, consistency, headerFields };
    }
  }
  return best?.delimiter ?? order[0]!;
}

/** What papaparse's core parser returns; its typings say `any`. */
interface ParsedChunk {
  data: string[][];
  meta: { cursor: number };
}

/** Records of the file in order, numbered from 1 (a record with quoted line breaks is one row, as in Excel). */
export async function* readCsvRecords(
  filePath: string,
  settings: CsvSettings,
  limits: ReadLimits,
  signal: AbortSignal | undefined,
): RowBatches {
  // The decoder drops the byte order mark itself; invalid bytes cannot occur in UTF-8 (checked
  // over the whole file) and do not exist in Windows-1252.
  const decoder = new TextDecoder(settings.encoding);
  const parser = new Papa.Parser({
    delimiter: settings.delimiter,
    newline: settings.newline,
    quoteChar: '"',
  });
  const stream = createReadStream(filePath, { highWaterMark: 64 * 1024, signal });
  let carried = '';
  let carriedFrom = 0;
  let rowNumber = 0;

  function parse(text: string, final: boolean): RawRow[] {
    const rows: RawRow[] = [];
    const input = carried + text;
    if (input === '') return rows;
    const result = parser.parse(input, carriedFrom, !final) as ParsedChunk;
    for (const cells of result.data) {
      rowNumber++;
      if (settings.newline === '\n') {
        const last = cells.length - 1;
        const lastCell = cells[last];
        if (lastCell?.endsWith('\r')) cells[last] = lastCell.slice(0, -1);
      }
      for (let column = 0; column < cells.length; column++) {
        const length = cells[column]!.length;
        if (length > limits.maxCellChars) {
          throw readErrors.cellTooLarge(limits.maxCellChars, length, {
            what: 'cell',
            rowNumber,
            column: column + 1,
          });
        }
      }
      rows.push({ rowNumber, cells });
    }
    if (final) return rows;
    carried = input.substring(result.meta.cursor - carriedFrom);
    carriedFrom = result.meta.cursor;
    if (carried.length > limits.maxRecordChars) {
      throw readErrors.cellTooLarge(limits.maxRecordChars, carried.length, {
        what: 'row',
        rowNumber: rowNumber + 1,
      });
    }
    return rows;
  }

  try {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      // fs streams opened without an encoding yield Buffers; their async iterator is typed `any`.
      const rows = parse(decoder.decode(chunk as Buffer, { stream: true }), false);
      if (rows.length > 0) yield rows;
    }
    const rows = parse(decoder.decode(), true);
    if (rows.length > 0) yield rows;
  } finally {
    stream.destroy();
  }
}
