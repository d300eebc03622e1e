/**
 * ODS (OpenDocument spreadsheet) read as a stream of rows from content.xml, with yauzl and saxes
 * (see zip.ts and xml.ts for why those two).
 *
 * ODS compresses runs with `table:number-columns-repeated` and `table:number-rows-repeated`; a
 * sheet routinely ends with a row of 16,384 repeated empty cells repeated a million times. Empty
 * repeats only move the position; only filled cells are ever materialised.
 */
import { booleanText, isoDurationToTime, normaliseIsoDateTime, plainNumberText } from './cell-values.js';
import type { ReadLimits, ZipLimits } from './limits.js';
import { readErrors } from './read-errors.js';
import type { RawRow, RowBatches } from './rows.js';
import type { Workbook } from './workbook.js';
import { streamXml, XmlByteGuard, type XmlTag } from './xml.js';
import type { GuardedZip } from './zip.js';

export const ODS_EXPECTED = 'an OpenDocument spreadsheet (.ods)';
const CONTENT = 'content.xml';
const TABLE_NAMESPACE_DECLARATION =
  /xmlns:([\w.-]+)\s*=\s*["']urn:oasis:names:tc:opendocument:xmlns:table:1\.0["']/;

const NAMESPACES = {
  office: 'urn:oasis:names:tc:opendocument:xmlns:office:1.0',
  table: 'urn:oasis:names:tc:opendocument:xmlns:table:1.0',
  text: 'urn:oasis:names:tc:opendocument:xmlns:text:1.0',
  calcext: 'urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0',
} as const;
type NamespaceKey = keyof typeof NAMESPACES;
type Prefixes = Record<NamespaceKey, string>;

/** Prefixes as declared on the root element; writers all use the conventional ones, but need not. */
function prefixesOf(root: XmlTag): Prefixes {
  const prefixes: Prefixes = { office: 'office', table: 'table', text: 'text', calcext: 'calcext' };
  for (const [name, value] of Object.entries(root.attributes)) {
    if (!name.startsWith('xmlns:')) continue;
    for (const key of Object.keys(NAMESPACES) as NamespaceKey[]) {
      if (NAMESPACES[key] === value) prefixes[key] = name.slice('xmlns:'.length);
    }
  }
  return prefixes;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXmlText = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (match, entity: string) => {
    if (entity[0] !== '#') return XML_ENTITIES[entity.toLowerCase()] ?? match;
    const code =
      entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });

/**
 * The names of the sheets, in order, found by scanning content.xml's bytes for table start tags
 * (no XML parse: a sheet's contents can be large, its start tag is not). Same guards as parsing.
 */
async function scanSheetNames(zip: GuardedZip, limits: ReadLimits, zipLimits: ZipLimits): Promise<string[]> {
  const guard = new XmlByteGuard(CONTENT, zipLimits.maxXmlRunBytes, limits.maxCellChars);
  const decoder = new TextDecoder('utf-8');
  const names: string[] = [];
  let prefix: string | null = null;
  let pending = '';
  for await (const chunk of zip.read(CONTENT)) {
    guard.check(chunk);
    pending += decoder.decode(chunk, { stream: true });
    if (prefix === null) {
      // Namespaces are declared on the root element, within the first few kilobytes.
      prefix =
        TABLE_NAMESPACE_DECLARATION.exec(pending)?.[1] ?? (pending.length > 256 * 1024 ? 'table' : null);
      if (prefix === null) continue;
    }
    const startTag = new RegExp(`<${prefix.replace(/\./g, '\\.')}:table(?=[\\s/>])([^>]*)>`, 'g');
    let consumed = 0;
    for (let match = startTag.exec(pending); match; match = startTag.exec(pending)) {
      const name = /\bname\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(match[1] ?? '');
      names.push(decodeXmlText(name?.[1] ?? name?.[2] ?? `Sheet${names.length + 1}`));
      consumed = startTag.lastIndex;
    }
    // Keep an unfinished start tag, or the few characters that may begin one, for the next chunk.
    const unfinished = pending.lastIndexOf(`<${prefix}:table`);
    pending = pending.slice(
      unfinished >= consumed ? unfinished : Math.max(consumed, pending.length - prefix.length - 8),
    );
  }
  return names;
}

export async function openOdsWorkbook(
  zip: GuardedZip,
  limits: ReadLimits,
  zipLimits: ZipLimits,
): Promise<Workbook> {
  if (!zip.has(CONTENT)) throw readErrors.fileUnreadable(ODS_EXPECTED, 'its content.xml part is missing');
  const names = await scanSheetNames(zip, limits, zipLimits);
  return {
    sheets: names.map((name) => ({ name, hidden: false })),
    openSheetRows: (index) => readTableRows(zip, index, limits, zipLimits),
  };
}

function readTableRows(
  zip: GuardedZip,
  tableIndex: number,
  limits: ReadLimits,
  zipLimits: ZipLimits,
): RowBatches {
  const { maxCellChars, maxColumns, maxRows } = limits;
  const settings = {
    partName: CONTENT,
    expected: ODS_EXPECTED,
    maxRunBytes: zipLimits.maxXmlRunBytes,
    maxCellChars,
  };

  return streamXml<RawRow>(zip.read(CONTENT), settings, (emit, stop) => {
    let names = {
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
    };
    let sawRoot = false;
    let tablesSeen = 0;
    let inTarget = false;
    let done = false;
    // Row state.
    let rowNumber = 0;
    let row: string[] | null = null;
    let rowRepeat = 1;
    let column = 0;
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
        case 'float':
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
      if (!filled) {
        rowNumber += rowRepeat;
      } else {
        // Beyond maxRows + 1 copies the row limit has already failed the import.
        const copies = Math.min(rowRepeat, maxRows + 2);
        for (let copy = 0; copy < copies; copy++) emit({ rowNumber: rowNumber + copy + 1, cells: row });
        rowNumber += rowRepeat;
      }
      row = null;
    };

    return {
      open(tag) {
        if (done) return;
        if (!sawRoot) {
          sawRoot = true;
          const p = prefixesOf(tag);
          names = {
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
          };
          return;
        }
        const name = tag.name;
        if (name === names.table) {
          inTarget = tablesSeen === tableIndex;
          tablesSeen++;
          return;
        }
        if (!inTarget) return;
        if (name === names.row) {
          row = [];
          rowRepeat = repeatOf(tag, attributes.rowsRepeated);
          column = 0;
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
        if (done || !inTarget) return;
        const name = tag.name;
        if (name === names.table) {
          closeRow();
          done = true;
          stop();
        } else if (name === names.row) {
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
        if (cell && paragraphDepth > 0 && annotationDepth === 0 && !done) append(piece);
      },
    };
  });
}
