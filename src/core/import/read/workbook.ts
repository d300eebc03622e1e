import type { RowBatches } from './rows.js';

/** What the XLSX and ODS readers share: the sheets in tab order, and a row stream per sheet. */
export interface WorkbookSheet {
  name: string;
  hidden: boolean;
}

export interface Workbook {
  sheets: WorkbookSheet[];
  /** The sheet's rows, each opened afresh; ends at once for sheets that hold no rows (chart sheets). */
  openSheetRows(index: number): RowBatches;
}

/** Visible sheets first, in tab order; hidden ones only if no visible sheet has data. */
export function sheetSearchOrder(sheets: readonly WorkbookSheet[]): number[] {
  const indexes = sheets.map((_, index) => index);
  return [
    ...indexes.filter((index) => !sheets[index]!.hidden),
    ...indexes.filter((index) => sheets[index]!.hidden),
  ];
}
