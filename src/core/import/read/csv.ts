/**
 * CSV/TSV/TXT: encoding, delimiter and line-ending detection, then parsing as a pull stream
 * (csv-parser.ts), fed one decoded chunk at a time: nothing is read until the consumer asks for
 * rows, and the unfinished record is bounded, so a 200 MB file with no line break, or an unclosed
 * quote, fails after the limit instead of being accumulated in memory.
 */
import { createReadStream } from 'node:fs';
import { type CsvRecord, CsvRecordParser } from './csv-parser.js';
import type { ReadLimits } from './limits.js';
import type { RawRow, RowBatches } from './rows.js';
import { encodingFromBom, encodingFromEvidence, scanFileBytes, utf16WithoutBom } from './text-encoding.js';
import { addReadProblem, type CsvDelimiter, type LineEnding, type TextEncodingName } from './types.js';

export interface CsvSettings {
  encoding: TextEncodingName;
  byteOrderMark: boolean;
  delimiter: CsvDelimiter;
  /** Bytes that are not valid in the encoding (UTF-8): cells with U+FFFD then carry a problem. */
  invalidBytes: number;
  /** Records to leave out at the start (Excel's `sep=` line). */
  skipRecords: number;
}

export type DetectedEncoding =
  | { encoding: TextEncodingName; byteOrderMark: boolean; invalidBytes: number }
  | { binary: true; zeroByteAt: number };

/**
 * Chooses the encoding: the byte order mark, else UTF-16 by its zero bytes, else from the bytes of
 * the whole file (see encodingFromEvidence): UTF-8 when it is mostly UTF-8, Mac Roman or
 * Windows-1252 otherwise. A zero byte anywhere in other text means the file is binary. `forced`
 * (the admin's choice) replaces the guess, but the file is still scanned for zero bytes and bad bytes.
 */
export async function detectEncoding(
  filePath: string,
  head: Buffer,
  signal: AbortSignal | undefined,
  forced?: TextEncodingName,
): Promise<DetectedEncoding> {
  const fromBom = encodingFromBom(head);
  if (fromBom && (!forced || forced === fromBom))
    return { encoding: fromBom, byteOrderMark: true, invalidBytes: 0 };
  const utf16 = forced?.startsWith('utf-16') ? forced : forced ? null : utf16WithoutBom(head);
  if (utf16) return { encoding: utf16, byteOrderMark: false, invalidBytes: 0 };
  const evidence = await scanFileBytes(filePath, signal);
  if (evidence.zeroByteAt !== null) return { binary: true, zeroByteAt: evidence.zeroByteAt };
  const crOnly = !head.includes(0x0a) && head.includes(0x0d);
  const encoding = forced ?? encodingFromEvidence(evidence, crOnly);
  return {
    encoding,
    byteOrderMark: fromBom === encoding,
    invalidBytes: encoding === 'utf-8' ? evidence.invalidSequences : 0,
  };
}

// Control characters that never occur in text files (tab, line breaks, form feed and the old DOS
// end-of-file mark do). U+FFFD is not among them: UTF-8 text may hold it as a character of its
// own, and as the replacement of bad bytes it gets a problem on its rows; a small file with a few
// is not "binary" any more than a large one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NON_TEXT = /[\u0000-\u0008\u000B\u000E-\u0019\u001B-\u001F]/g;

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

/**
 * The line ending of the sample's text outside quotes, by what ends most records (CR, LF or
 * CRLF); line breaks inside quoted cells do not count. Null when the sample is one line.
 */
export function detectLineEnding(sample: string): LineEnding | null {
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  let inQuotes = false;
  let atFieldStart = true;
  for (let i = 0; i < sample.length; i++) {
    const char = sample[i];
    if (inQuotes) {
      if (char === '"') {
        if (sample[i + 1] === '"') i++;
        else inQuotes = false;
      }
      continue;
    }
    if (char === '"') {
      if (atFieldStart) inQuotes = true;
      atFieldStart = false;
    } else if (char === '\r') {
      if (sample[i + 1] === '\n') {
        crlf++;
        i++;
      } else cr++;
      atFieldStart = true;
    } else if (char === '\n') {
      lf++;
      atFieldStart = true;
    } else {
      atFieldStart = char === ',' || char === ';' || char === '\t' || char === '|';
    }
  }
  if (crlf + lf + cr === 0) return null;
  if (crlf >= lf && crlf >= cr) return 'CRLF';
  return lf >= cr ? 'LF' : 'CR';
}

const SEP_LINE = /^sep=(.)\r?\n?\r?$/i;

/**
 * Excel's `sep=;` first line names the delimiter of the file and is no data: the delimiter it
 * names, or null when the file does not start with one.
 */
export function sepLineDelimiter(sample: string): CsvDelimiter | null {
  const end = sample.search(/[\r\n]/);
  const first = end === -1 ? sample : sample.slice(0, end);
  const match = SEP_LINE.exec(first.trim());
  const delimiter = match?.[1];
  return delimiter === ',' || delimiter === ';' || delimiter === '\t' || delimiter === '|' ? delimiter : null;
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

/**
 * Records of the file in order, numbered from 1 (a record with quoted line breaks is one row, as in
 * Excel). Problems the parser finds (quotes it read as Excel does) come with their records; with
 * bad bytes in a UTF-8 file, each cell that holds U+FFFD gets one too.
 */
export async function* readCsvRecords(
  filePath: string,
  settings: CsvSettings,
  limits: ReadLimits,
  signal: AbortSignal | undefined,
): RowBatches {
  // The decoder drops the byte order mark itself; bad bytes become U+FFFD.
  const decoder = new TextDecoder(settings.encoding);
  const parser = new CsvRecordParser(settings.delimiter, limits);
  const stream = createReadStream(filePath, { highWaterMark: 64 * 1024, signal });
  let skip = settings.skipRecords;
  const checkBytes = settings.invalidBytes > 0;

  const shape = (records: CsvRecord[]): RawRow[] => {
    if (skip > 0) {
      const dropped = Math.min(skip, records.length);
      records.splice(0, dropped);
      skip -= dropped;
    }
    if (checkBytes) for (const record of records) markReplacedBytes(record, settings.encoding);
    return records;
  };

  try {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      const records: CsvRecord[] = [];
      // fs streams opened without an encoding yield Buffers; their async iterator is typed `any`.
      parser.push(decoder.decode(chunk as Buffer, { stream: true }), records);
      const rows = shape(records);
      if (rows.length > 0) yield rows;
    }
    const records: CsvRecord[] = [];
    parser.push(decoder.decode(), records);
    parser.end(records);
    const rows = shape(records);
    if (rows.length > 0) yield rows;
  } finally {
    stream.destroy();
  }
}

function markReplacedBytes(record: CsvRecord, encoding: TextEncodingName): void {
  for (let column = 0; column < record.cells.length; column++) {
    if (!record.cells[column]!.includes('\uFFFD')) continue;
    addReadProblem(record, {
      column,
      code: 'read.invalid_bytes',
      message: `Line ${record.line}: the cell holds bytes that are not ${encoding === 'utf-8' ? 'UTF-8' : encoding}; each was read as \uFFFD. Correct the cell (or upload the file again with the right encoding).`,
      severity: 'error',
    });
  }
}
