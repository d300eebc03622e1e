/**
 * A streaming CSV record parser that reads quotes as Excel does and says where it had to guess.
 *
 * papaparse, used before, recovers from a malformed quote by reading on to the next quote it can
 * close, so one `"Bobby" Jr` took the rest of the file into one cell, and it cannot say on which line
 * a quote opened. This parser:
 * - ends a record at CR, LF or CRLF outside quotes (whatever the file's usual line ending), and keeps
 *   any line break inside quotes as it is;
 * - keeps a quote inside an unquoted cell as text (`Bob "the" Smith`), with a warning;
 * - reads text after a closing quote as Excel does (`"Bobby" Jr` → `Bobby Jr`), with a warning;
 * - refuses a quote that never closes, naming the line where it opened;
 * - counts physical lines, so every problem can name its line.
 * Text is fed in decoded chunks; nothing but the unfinished record is held.
 */
import type { ReadLimits } from './limits.js';
import { readErrors } from './read-errors.js';
import type { ReadProblem } from './types.js';

export interface CsvRecord {
  /** The record's number in the file, from 1; blank records count (Excel shows them as rows). */
  rowNumber: number;
  /** The physical line the record starts on. */
  line: number;
  cells: string[];
  problems?: ReadProblem[];
}

export interface LineEndingCounts {
  crlf: number;
  lf: number;
  cr: number;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

enum State {
  FieldStart = 0,
  Unquoted = 1,
  Quoted = 2,
  /** A quote inside a quoted cell: the next character says whether it closes the cell or is `""`. */
  QuotedQuote = 3,
  /** Text after a closing quote, before the delimiter (`"Bobby" Jr`). */
  AfterQuote = 4,
}

export class CsvRecordParser {
  private readonly delimiter: number;
  private state = State.FieldStart;
  private cells: string[] = [];
  private field = '';
  private recordChars = 0;
  private problems: ReadProblem[] | null = null;
  private rowNumber = 0;
  /** Physical line of the next character. */
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  /** A CR ended the last record: an LF right after it is the same line break. */
  private skipLf = false;
  /** Inside quotes, the last character was a CR (so an LF after it is not another line). */
  private quotedCr = false;
  private strayQuoteInCell = false;
  /** Line breaks that ended records, by kind: the file's line ending is the most frequent. */
  readonly endings: LineEndingCounts = { crlf: 0, lf: 0, cr: 0 };

  constructor(
    delimiter: string,
    private readonly limits: Pick<ReadLimits, 'maxCellChars' | 'maxRecordChars'>,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Parses a chunk of text; finished records are pushed onto `out`. */
  push(text: string, out: CsvRecord[]): void {
    const n = text.length;
    const d = this.delimiter;
    let i = 0;
    let segment = 0;
    while (i < n) {
      switch (this.state) {
        case State.FieldStart: {
          const c = text.charCodeAt(i);
          if (this.skipLf) {
            this.skipLf = false;
            if (c === LF) {
              this.endings.cr--;
              this.endings.crlf++;
              i++;
              continue;
            }
          }
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.quoteLine = this.line;
            this.quotedCr = false;
            i++;
            segment = i;
          } else if (c === d) {
            this.endField();
            i++;
          } else if (c === CR || c === LF) {
            this.endField();
            this.endRecord(c, out);
            i++;
          } else {
            this.state = State.Unquoted;
            segment = i;
          }
          continue;
        }
        case State.Unquoted:
        case State.AfterQuote: {
          let c = 0;
          while (i < n) {
            c = text.charCodeAt(i);
            if (c === d || c === CR || c === LF) break;
            if (c === QUOTE) this.strayQuoteInCell = true;
            i++;
          }
          if (i >= n) continue;
          this.field += text.slice(segment, i);
          this.endField();
          i++;
          if (c !== d) this.endRecord(c, out);
          continue;
        }
        case State.Quoted: {
          const quote = text.indexOf('"', i);
          const end = quote === -1 ? n : quote;
          for (let j = i; j < end; j++) {
            const c = text.charCodeAt(j);
            if (c === CR) {
              this.line++;
              this.quotedCr = true;
            } else if (c === LF) {
              if (!this.quotedCr) this.line++;
              this.quotedCr = false;
            } else {
              this.quotedCr = false;
            }
          }
          if (quote === -1) {
            i = n;
            continue;
          }
          this.field += text.slice(segment, quote);
          this.quotedCr = false;
          i = quote + 1;
          this.state = State.QuotedQuote;
          continue;
        }
        case State.QuotedQuote: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
            i++;
            segment = i;
          } else if (c === d) {
            this.endField();
            i++;
          } else if (c === CR || c === LF) {
            this.endField();
            this.endRecord(c, out);
            i++;
          } else {
            this.problem({
              column: this.cells.length,
              code: 'read.text_after_quote',
              message: `Line ${this.line}: the cell has text after its closing quote; it was read as Excel reads it, the quoted text followed by the rest. Check it.`,
              severity: 'warning',
            });
            this.state = State.AfterQuote;
            segment = i;
          }
          continue;
        }
      }
    }
    if (this.state === State.Unquoted || this.state === State.AfterQuote || this.state === State.Quoted) {
      this.field += text.slice(segment, n);
    }
    this.checkLength();
  }

  /** Ends the text: the last record without a line break is pushed; an open quote is refused. */
  end(out: CsvRecord[]): void {
    if (this.state === State.Quoted) {
      throw readErrors.unclosedQuote(this.quoteLine, this.rowNumber + 1, this.cells.length + 1);
    }
    if (this.state === State.FieldStart && this.cells.length === 0) return;
    this.endField();
    this.pushRecord(out);
  }

  private problem(problem: ReadProblem): void {
    if (this.problems) this.problems.push(problem);
    else this.problems = [problem];
  }

  private endField(): void {
    const field = this.field;
    if (field.length > this.limits.maxCellChars) {
      throw readErrors.cellTooLarge(this.limits.maxCellChars, field.length, {
        what: 'cell',
        rowNumber: this.rowNumber + 1,
        column: this.cells.length + 1,
      });
    }
    if (this.strayQuoteInCell) {
      this.strayQuoteInCell = false;
      this.problem({
        column: this.cells.length,
        code: 'read.stray_quote',
        message: `Line ${this.line}: the cell holds a quote that does not start it; it was kept as text, as Excel does.`,
        severity: 'warning',
      });
    }
    this.cells.push(field);
    this.recordChars += field.length;
    this.field = '';
    this.state = State.FieldStart;
  }

  private endRecord(lineBreak: number, out: CsvRecord[]): void {
    this.pushRecord(out);
    this.line++;
    this.recordLine = this.line;
    if (lineBreak === CR) {
      this.endings.cr++;
      this.skipLf = true;
    } else {
      this.endings.lf++;
    }
  }

  private pushRecord(out: CsvRecord[]): void {
    this.rowNumber++;
    const record: CsvRecord = { rowNumber: this.rowNumber, line: this.recordLine, cells: this.cells };
    if (this.problems) record.problems = this.problems;
    out.push(record);
    this.cells = [];
    this.problems = null;
    this.recordChars = 0;
  }

  private checkLength(): void {
    const { maxCellChars, maxRecordChars } = this.limits;
    if (this.field.length > maxCellChars) {
      throw readErrors.cellTooLarge(maxCellChars, this.field.length, {
        what: 'cell',
        rowNumber: this.rowNumber + 1,
        column: this.cells.length + 1,
        ...(this.state === State.Quoted && { quoteOpenedAtLine: this.quoteLine }),
      });
    }
    if (this.recordChars + this.field.length > maxRecordChars) {
      throw readErrors.cellTooLarge(maxRecordChars, this.recordChars + this.field.length, {
        what: 'row',
        rowNumber: this.rowNumber + 1,
        ...(this.state === State.Quoted && { quoteOpenedAtLine: this.quoteLine }),
      });
    }
  }
}
