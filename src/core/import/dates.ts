/**
 * Dates written day-first or month-first (`15/02/2025`, `02/15/2025`, `15.02.25`). The order is
 * the import's `dateOrder` option, or, with `auto`, inferred per column: a value whose first part
 * is above 12 proves day-first, one whose second part is, month-first; a column with no such value
 * takes the order the file's other date columns prove, then the one its delimiter leans to (a `;`
 * file comes from a locale that writes dates day-first). Only when nothing gives evidence is an
 * ambiguous value refused, with a message that says to choose the order.
 */
export type DateOrder = 'DMY' | 'MDY' | 'YMD';
export type DateOrderChoice = 'auto' | DateOrder;

export const DATE_ORDER_WORDS: Record<DateOrder, string> = {
  DMY: 'day first (DD/MM/YYYY)',
  MDY: 'month first (MM/DD/YYYY)',
  YMD: 'year first (YYYY/MM/DD)',
};

const PARTS = /^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$/;

interface Parts {
  first: number;
  second: number;
  third: number;
  firstWidth: number;
  thirdWidth: number;
}

function partsOf(text: string): Parts | null {
  const match = PARTS.exec(text.trim());
  if (!match) return null;
  return {
    first: Number(match[1]),
    second: Number(match[3]),
    third: Number(match[4]),
    firstWidth: match[1]!.length,
    thirdWidth: match[4]!.length,
  };
}

/** The order a single value proves, if any. */
export function orderEvidence(text: string): DateOrder | null {
  const p = partsOf(text);
  if (!p) return null;
  if (p.firstWidth === 4) return 'YMD';
  if (p.thirdWidth !== 4 && p.thirdWidth !== 2) return null;
  if (p.first > 12 && p.first <= 31 && p.second <= 12) return 'DMY';
  if (p.second > 12 && p.second <= 31 && p.first <= 12) return 'MDY';
  return null;
}

/** Excel's two-digit years: 00–29 are 2000–2029, 30–99 are 1930–1999. */
const fullYear = (year: number, width: number): number =>
  width === 2 ? (year < 30 ? 2000 + year : 1900 + year) : year;

export type OrderedDate = { ok: true; iso: string } | { ok: false; code: string; message: string };

/**
 * A value with its parts in some order (`15/02/2025`), read in `order`; null when the value does
 * not have that shape (ISO dates and serials are read elsewhere).
 */
export function readOrderedDate(text: string, order: DateOrder | null): OrderedDate | null {
  const p = partsOf(text);
  if (!p) return null;
  const own = orderEvidence(text);
  const ambiguous = own === null && p.firstWidth !== 4;
  if (ambiguous && p.first === p.second) order ??= 'DMY';
  const use = own === 'YMD' ? 'YMD' : (order ?? own);
  if (use === null || (ambiguous && order === null)) {
    return {
      ok: false,
      code: 'date.order_unknown',
      message: `"${text}" could be day-first or month-first, and nothing in the column says which; choose the date order in the import's options (dateOrder: DMY or MDY).`,
    };
  }
  let year: number;
  let month: number;
  let day: number;
  if (use === 'YMD') {
    if (p.firstWidth !== 4) return invalid(text, use);
    [year, month, day] = [p.first, p.second, p.third];
  } else {
    if (p.thirdWidth !== 4 && p.thirdWidth !== 2) return invalid(text, use);
    year = fullYear(p.third, p.thirdWidth);
    [day, month] = use === 'DMY' ? [p.first, p.second] : [p.second, p.first];
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return invalid(text, use);
  }
  return { ok: true, iso: date.toISOString().slice(0, 10) };
}

const invalid = (text: string, order: DateOrder): OrderedDate => ({
  ok: false,
  code: 'date.invalid',
  message: `"${text}" is not a date read ${DATE_ORDER_WORDS[order]}; correct it, or choose another date order in the import's options.`,
});

/**
 * The date order of each column of one import: the option, or what the values seen so far prove.
 * Decisions saved with the import (by column) are kept, so that later checks read as the first did.
 */
export class DateOrders {
  private readonly counts = new Map<number, Record<DateOrder, number>>();
  /** Columns where a value was refused for want of an order, since the last `takeRefused`. */
  private readonly refused = new Set<number>();

  constructor(
    readonly choice: DateOrderChoice,
    /** The order the file leans to when a column proves nothing (a `;` file: day-first). */
    readonly leaning: DateOrder | null,
    private readonly saved: ReadonlyMap<number, DateOrder> = new Map(),
  ) {}

  observe(column: number, text: string): void {
    if (this.choice !== 'auto' || text === '') return;
    const order = orderEvidence(text);
    if (order === null) return;
    let counts = this.counts.get(column);
    if (!counts) {
      counts = { DMY: 0, MDY: 0, YMD: 0 };
      this.counts.set(column, counts);
    }
    counts[order]++;
  }

  private proven(column: number): DateOrder | null {
    const counts = this.counts.get(column);
    if (!counts) return null;
    // YMD values prove themselves; between day- and month-first the majority decides.
    if (counts.DMY === 0 && counts.MDY === 0) return null;
    return counts.DMY >= counts.MDY ? 'DMY' : 'MDY';
  }

  orderFor(column: number): DateOrder | null {
    if (this.choice !== 'auto') return this.choice;
    const own = this.proven(column) ?? this.saved.get(column);
    if (own) return own;
    let dmy = 0;
    let mdy = 0;
    for (const counts of this.counts.values()) {
      dmy += counts.DMY;
      mdy += counts.MDY;
    }
    if (dmy + mdy > 0) return dmy >= mdy ? 'DMY' : 'MDY';
    return this.leaning;
  }

  noteRefused(column: number): void {
    this.refused.add(column);
  }

  /** Whether values refused for want of an order could now be read: then the rows are checked again. */
  takeRefused(): boolean {
    const decidable = [...this.refused].some((column) => this.orderFor(column) !== null);
    this.refused.clear();
    return decidable;
  }

  /** The order of each of these columns (by header), and how it was decided, for the import's view. */
  describe(columns: readonly { index: number; header: string }[]): DateColumnOrder[] {
    return columns.map(({ index, header }) => {
      const order = this.orderFor(index);
      const how: DateColumnOrder['how'] =
        this.choice !== 'auto'
          ? 'chosen'
          : this.proven(index) || this.saved.has(index)
            ? 'values'
            : order === null
              ? 'unknown'
              : this.counts.size > 0
                ? 'other-columns'
                : 'delimiter';
      return { column: header, index, order, how };
    });
  }
}

export interface DateColumnOrder {
  column: string;
  index: number;
  order: DateOrder | null;
  /** chosen: the option; values: the column's own values; other-columns, delimiter: by the file; unknown: nothing told. */
  how: 'chosen' | 'values' | 'other-columns' | 'delimiter' | 'unknown';
}

/** The order a file leans to by its delimiter: a `;` CSV comes from a day-first locale. */
export const leaningOf = (delimiter: unknown): DateOrder | null => (delimiter === ';' ? 'DMY' : null);

/** Saved decisions (`file.meta.dateOrders`) by column index. */
export function savedOrders(saved: unknown): Map<number, DateOrder> {
  const map = new Map<number, DateOrder>();
  if (!Array.isArray(saved)) return map;
  for (const entry of saved as Partial<DateColumnOrder>[]) {
    if (
      typeof entry?.index === 'number' &&
      (entry.order === 'DMY' || entry.order === 'MDY' || entry.order === 'YMD')
    ) {
      if (entry.how === 'values') map.set(entry.index, entry.order);
    }
  }
  return map;
}
