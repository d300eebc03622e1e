/**
 * ODS (OpenDocument spreadsheet) read as a stream of rows from content.xml, with yauzl and saxes
 * (see zip.ts and xml.ts for why those two).
 *
 * ODS compresses runs with `table:number-columns-repeated` and `table:number-rows-repeated`; a
 * sheet routinely ends with a row of 16,384 repeated empty cells repeated a million times. Empty
 * repeats only move the position; only filled cells are ever materialised.
 *
 * content.xml is read once: the sheet is chosen and its rows streamed in the same pass (a file of
 * thousands of empty tables once cost one pass per table).
 */
import { booleanText, isoDurationToTime, normaliseIsoDateTime, plainNumberText } from './cell-values.js';
import type { ReadLimits, ZipLimits } from './limits.js';
import { readErrors } from './read-errors.js';
import { type RawRow, type RowBatches, RowCursor } from './rows.js';
import { streamXml, type XmlTag } from './xml.js';
import type { GuardedZip } from './zip.js';

export const ODS_EXPECTED = 'an OpenDocument spreadsheet (.ods)';
const CONTENT = 'content.xml';

const NAMESPACES = {
  office: 'urn:oasis:names:tc:opendocument:xmlns:office:1.0',
  table: 'urn:oasis:names:tc:opendocument:xmlns:table:1.0',
  text: 'urn:oasis:names:tc:opendocument:xmlns:text:1.0',
  style: 'urn:oasis:names:tc:opendocument:xmlns:style:1.0',
  calcext: 'urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0',
} as const;
type NamespaceKey = keyof typeof NAMESPACES;
type Prefixes = Record<NamespaceKey, string>;

/** Prefixes as declared on the root element; writers all use the conventional ones, but need not. */
function prefixesOf(root: XmlTag): Prefixes {
  const prefixes: Prefixes = {
    office: 'office',
    table: 'table',
    text: 'text',
    style: 'style',
    calcext: 'calcext',
  };
  for (const [name, value] of Object.entries(root.attributes)) {
    if (!name.startsWith('xmlns:')) continue;
    for (const key of Object.keys(NAMESPACES) as NamespaceKey[]) {
      if (NAMESPACES[key] === value) prefixes[key] = name.slice('xmlns:'.length);
    }
  }
  return prefixes;
}

const PADDED = /^\d(?:[\d-]*\d)?$/;

/** Whether a cell's displayed text is its whole number padded with zeros or split by hyphens. */
export function paddedDisplay(display: string, plain: string): boolean {
  if (!PADDED.test(display) || !/^\d+$/.test(plain)) return false;
  if (!display.startsWith('0') && !display.includes('-')) return false;
  return display.replace(/-/g, '').replace(/^0+/, '') === plain.replace(/^0+/, '');
}

/** A sheet of the workbook, with its rows streaming: what the one pass over content.xml finds. */
export interface OdsSheetChoice {
  index: number;
  name: string;
  /** Every table's name, in order: complete once the rows have been read to the end. */
  sheetNames: string[];
  /** The other visible tables with data: complete once the rows have been read to the end. */
  otherSheetsWithData: string[];
  rows: RowCursor;
  firstRow: RawRow;
}

type OdsEvent =
  | { type: 'table'; index: number; name: string; hidden: boolean }
  | { type: 'hidden-data'; index: number }
  | { type: 'other-data'; index: number }
  | { type: 'row'; table: number; row: RawRow }
  | { type: 'table-end'; index: number };

/**
 * Finds the sheet to import in ONE streaming pass over content.xml: the first visible table with a
 * non-blank row, whose rows then stream on from the same pass; the tables after it are only named.
 * Only when no visible table has data is the file read a second time, for the first hidden table
 * that has. Every read is charged to the inflate budget.
 */
export async function openOdsSheet(
  zip: GuardedZip,
  limits: ReadLimits,
  zipLimits: ZipLimits,
  wanted?: string,
): Promise<OdsSheetChoice | null> {
  if (!zip.has(CONTENT)) throw readErrors.fileUnreadable(ODS_EXPECTED, 'its content.xml part is missing');
  const sheetNames: string[] = [];
  const otherSheetsWithData: string[] = [];
  const firstPass = readTables(
    zip,
    wanted === undefined ? 'first-visible' : { name: wanted },
    limits,
    zipLimits,
  );
  let hiddenWithData: number | null = null;
  let pending: OdsEvent[] = [];
  let at = 0;
  let found: { table: number; row: RawRow } | null = null;
  try {
    search: for (;;) {
      const next = await firstPass.next();
      if (next.done) break;
      pending = next.value;
      for (at = 0; at < pending.length; at++) {
        const event = pending[at]!;
        if (event.type === 'table') sheetNames.push(event.name);
        else if (event.type === 'hidden-data') hiddenWithData ??= event.index;
        else if (event.type === 'other-data') otherSheetsWithData.push(sheetNames[event.index]!);
        else if (event.type === 'row') {
          found = { table: event.table, row: event.row };
          at++;
          break search;
        }
      }
    }
  } catch (error) {
    await firstPass.return(undefined);
    throw error;
  }

  if (found) {
    const chosen = found.table;
    const rest = pending.slice(at);
    async function* rows(): RowBatches {
      let inTable = true;
      let batch: OdsEvent[] = rest;
      for (;;) {
        const out: RawRow[] = [];
        for (const event of batch) {
          if (event.type === 'table') sheetNames.push(event.name);
          else if (event.type === 'other-data') otherSheetsWithData.push(sheetNames[event.index]!);
          else if (event.type === 'row' && inTable) out.push(event.row);
          else if (event.type === 'table-end' && event.index === chosen) inTable = false;
        }
        if (out.length > 0) yield out;
        const next = await firstPass.next();
        if (next.done) return;
        batch = next.value;
      }
    }
    const cursor = new RowCursor(rows());
    return {
      index: chosen,
      name: sheetNames[chosen]!,
      sheetNames,
      otherSheetsWithData,
      rows: cursor,
      firstRow: found.row,
    };
  }

  if (wanted !== undefined) throw readErrors.sheetNotFound(wanted, sheetNames);
  if (hiddenWithData === null) return null;
  const secondPass = readTables(zip, hiddenWithData, limits, zipLimits);
  async function* hiddenRows(): RowBatches {
    for await (const events of secondPass) {
      const out: RawRow[] = [];
      for (const event of events) if (event.type === 'row') out.push(event.row);
      if (out.length > 0) yield out;
    }
  }
  const cursor = new RowCursor(hiddenRows());
  let firstRow: RawRow | null;
  try {
    firstRow = await cursor.nextNonBlank();
  } catch (error) {
    await cursor.close();
    throw error;
  }
  if (!firstRow) {
    await cursor.close();
    return null;
  }
  return {
    index: hiddenWithData,
    name: sheetNames[hiddenWithData]!,
    sheetNames,
    otherSheetsWithData,
    rows: cursor,
    firstRow,
  };
}

/**
 * The events of one pass over content.xml. `target` is a table's position (its rows only, then
 * the pass stops) or `first-visible`: rows of visible tables until one has a non-blank row, all of
 * that table's rows, then only the names of the tables after it.
 */
function readTables(
  zip: GuardedZip,
  target: number | 'first-visible' | { name: string },
  limits: ReadLimits,
  zipLimits: ZipLimits,
): AsyncGenerator<OdsEvent[]> {
  const { maxCellChars, maxColumns, maxRows, maxRecordChars } = limits;
  const settings = {
    partName: CONTENT,
    expected: ODS_EXPECTED,
    maxRunBytes: zipLimits.maxXmlRunBytes,
    maxCellChars,
    maxDepth: zipLimits.maxXmlDepth,
    maxElements: zipLimits.maxXmlElements,
  };

  return streamXml<OdsEvent>(zip.read(CONTENT), settings, (emit, stop) => {
    let names = {
      style: '',
      tableProperties: '',
      table: '',
      row: '',
      cell: '',
      coveredCell: '',
      p: '',
      s: '',
      tab: '',
      lineBreak: '',
      annotation: '',
    };
    let attributes = {
      rowsRepeated: '',
      columnsRepeated: '',
      valueType: '',
      calcValueType: '',
      value: '',
      dateValue: '',
      timeValue: '',
      booleanValue: '',
      stringValue: '',
      spaceCount: '',
      styleName: '',
      styleFamily: '',
      tableStyleName: '',
      tableName: '',
      display: '',
    };
    let sawRoot = false;
    let tablesSeen = 0;
    // The table being read: its position, whether it is hidden, whether its rows are wanted.
    let tableIndex = -1;
    let tableHidden = false;
    let inTarget = false;
    let tableHasData = false;
    // A visible table outside the target whose data has been noted.
    let otherNoted = false;
    // first-visible: set once a visible table yielded a row; later tables are only named.
    let chosen = false;
    // Automatic table styles that hide a table (`table:display="false"`), declared before the body.
    const hiddenStyles = new Set<string>();
    let tableStyle: string | null = null;
    // Row state.
    let rowNumber = 0;
    let row: string[] | null = null;
    let rowRepeat = 1;
    let column = 0;
    let rowChars = 0;
    // Cell state.
    let cell: XmlTag | null = null;
    let text = '';
    let paragraphs = 0;
    let paragraphDepth = 0;
    let annotationDepth = 0;

    const repeatOf = (tag: XmlTag, name: string): number => {
      const repeat = Number(tag.attributes[name] ?? 1);
      return Number.isInteger(repeat) && repeat > 0 ? repeat : 1;
    };

    const append = (piece: string): void => {
      text += piece;
      if (text.length > maxCellChars) {
        throw readErrors.cellTooLarge(maxCellChars, text.length, {
          what: 'cell',
          rowNumber: rowNumber + 1,
          column: column + 1,
        });
      }
    };

    const cellValue = (tag: XmlTag): string => {
      const get = (name: string): string | undefined => tag.attributes[name];
      if (get(attributes.calcValueType) === 'error') return text;
      switch (get(attributes.valueType)) {
        case 'float': {
          const plain = plainNumberText(get(attributes.value) ?? text);
          // A zero-padded format (`00000`, `000-000`) shows the number as text: read it as shown.
          return paddedDisplay(text, plain) ? text : plain;
        }
        case 'percentage':
        case 'currency':
          return plainNumberText(get(attributes.value) ?? text);
        case 'date':
          return normaliseIsoDateTime(get(attributes.dateValue) ?? text);
        case 'time':
          return isoDurationToTime(get(attributes.timeValue) ?? text);
        case 'boolean': {
          const value = (get(attributes.booleanValue) ?? text).trim().toLowerCase();
          return booleanText(value === 'true' || value === '1');
        }
        case 'string':
          return get(attributes.stringValue) ?? text;
        default:
          return text;
      }
    };

    const closeRow = (): void => {
      if (!row) return;
      const filled = row.some((value) => value.trim() !== '');
      if (filled && tableHidden && target === 'first-visible') {
        // A hidden table's rows are only wanted when no visible table has any: note that it has.
        if (!tableHasData) emit({ type: 'hidden-data', index: tableIndex });
        tableHasData = true;
      } else if (filled) {
        chosen = true;
        // Beyond maxRows + 1 copies the row limit has already failed the import.
        const copies = Math.min(rowRepeat, maxRows + 2);
        for (let copy = 0; copy < copies; copy++) {
          emit({ type: 'row', table: tableIndex, row: { rowNumber: rowNumber + copy + 1, cells: row } });
        }
      }
      rowNumber += rowRepeat;
      row = null;
    };

    return {
      open(tag) {
        if (!sawRoot) {
          sawRoot = true;
          const p = prefixesOf(tag);
          names = {
            style: `${p.style}:style`,
            tableProperties: `${p.style}:table-properties`,
            table: `${p.table}:table`,
            row: `${p.table}:table-row`,
            cell: `${p.table}:table-cell`,
            coveredCell: `${p.table}:covered-table-cell`,
            p: `${p.text}:p`,
            s: `${p.text}:s`,
            tab: `${p.text}:tab`,
            lineBreak: `${p.text}:line-break`,
            annotation: `${p.office}:annotation`,
          };
          attributes = {
            rowsRepeated: `${p.table}:number-rows-repeated`,
            columnsRepeated: `${p.table}:number-columns-repeated`,
            valueType: `${p.office}:value-type`,
            calcValueType: `${p.calcext}:value-type`,
            value: `${p.office}:value`,
            dateValue: `${p.office}:date-value`,
            timeValue: `${p.office}:time-value`,
            booleanValue: `${p.office}:boolean-value`,
            stringValue: `${p.office}:string-value`,
            spaceCount: `${p.text}:c`,
            styleName: `${p.style}:name`,
            styleFamily: `${p.style}:family`,
            tableStyleName: `${p.table}:style-name`,
            tableName: `${p.table}:name`,
            display: `${p.table}:display`,
          };
          return;
        }
        const name = tag.name;
        if (name === names.table) {
          if (tablesSeen >= zipLimits.maxSheets) {
            throw readErrors.workbookTooComplex(
              'it holds more sheets than a spreadsheet does',
              zipLimits.maxSheets,
              tablesSeen + 1,
            );
          }
          tableIndex = tablesSeen++;
          const styleName = tag.attributes[attributes.tableStyleName];
          tableHidden = styleName !== undefined && hiddenStyles.has(styleName);
          tableHasData = false;
          otherNoted = false;
          const tableName = tag.attributes[attributes.tableName] ?? `Sheet${tableIndex + 1}`;
          inTarget =
            target === 'first-visible'
              ? !chosen
              : typeof target === 'number'
                ? tableIndex === target
                : !chosen && tableName.toLocaleLowerCase() === target.name.toLocaleLowerCase();
          rowNumber = 0;
          emit({ type: 'table', index: tableIndex, name: tableName, hidden: tableHidden });
          return;
        }
        if (tableIndex < 0) {
          if (name === names.style) {
            tableStyle =
              tag.attributes[attributes.styleFamily] === 'table'
                ? (tag.attributes[attributes.styleName] ?? null)
                : null;
          } else if (name === names.tableProperties && tableStyle !== null) {
            if (tag.attributes[attributes.display] === 'false') hiddenStyles.add(tableStyle);
          }
          return;
        }
        if (!inTarget) {
          // Another visible table with a value in it: named, so that the admin can pick it instead.
          if (!otherNoted && !tableHidden && name === names.cell && tag.attributes[attributes.valueType]) {
            otherNoted = true;
            emit({ type: 'other-data', index: tableIndex });
          }
          return;
        }
        if (name === names.row) {
          row = [];
          rowRepeat = repeatOf(tag, attributes.rowsRepeated);
          column = 0;
          rowChars = 0;
        } else if ((name === names.cell || name === names.coveredCell) && row) {
          cell = tag;
          text = '';
          paragraphs = 0;
        } else if (cell && name === names.annotation) {
          annotationDepth++;
        } else if (cell && annotationDepth === 0) {
          if (name === names.p) {
            if (paragraphs > 0) append('\n');
            paragraphs++;
            paragraphDepth++;
          } else if (paragraphDepth > 0 && name === names.s) {
            const count = repeatOf(tag, attributes.spaceCount);
            append(' '.repeat(Math.min(count, maxCellChars + 1)));
          } else if (paragraphDepth > 0 && name === names.tab) {
            append('\t');
          } else if (paragraphDepth > 0 && name === names.lineBreak) {
            append('\n');
          }
        }
      },
      close(tag) {
        const name = tag.name;
        if (name === names.table) {
          if (inTarget) closeRow();
          inTarget = false;
          emit({ type: 'table-end', index: tableIndex });
          if (tableIndex === target) stop();
          return;
        }
        if (!inTarget) return;
        if (name === names.row) {
          closeRow();
        } else if ((name === names.cell || name === names.coveredCell) && row && cell) {
          const repeat = repeatOf(cell, attributes.columnsRepeated);
          const value = cellValue(cell);
          cell = null;
          if (value === '') {
            column += repeat;
            return;
          }
          if (column + repeat > maxColumns)
            throw readErrors.tooManyColumns(maxColumns, column + repeat, rowNumber + 1);
          rowChars += value.length * repeat;
          if (rowChars > maxRecordChars) {
            throw readErrors.cellTooLarge(maxRecordChars, rowChars, {
              what: 'row',
              rowNumber: rowNumber + 1,
              workbook: true,
            });
          }
          while (row.length < column) row.push('');
          for (let copy = 0; copy < repeat; copy++) row.push(value);
          column += repeat;
        } else if (name === names.annotation) {
          annotationDepth--;
        } else if (name === names.p && annotationDepth === 0 && paragraphDepth > 0) {
          paragraphDepth--;
        }
      },
      text(piece) {
        if (inTarget && cell && paragraphDepth > 0 && annotationDepth === 0) append(piece);
      },
    };
  });
}
