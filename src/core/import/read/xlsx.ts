/**
 * XLSX (Office Open XML) read as a stream of rows.
 *
 * Not ExcelJS's streaming WorkbookReader, though it was the first choice. It walks the zip
 * sequentially (unzipper), so worksheets stored before sharedStrings.xml, which is Excel's own
 * order, are spooled to temp files; it yields sheets in zip order, not tab order; it cannot bound
 * the bytes it inflates; it throws on cells without an `r` reference (allowed by the format and
 * written by some generators); it turns boolean and error formula results into numbers; and it
 * has no way to cancel a read. Reading the parts ourselves with yauzl (random access, see zip.ts)
 * and saxes (the SAX parser ExcelJS itself uses, see xml.ts) avoids all of that and is faster.
 */
import path from 'node:path';
import {
  booleanText,
  type DateKind,
  type DigitPattern,
  dateKindOfFormat,
  digitPatternOf,
  excelSerialToIso,
  formatDigits,
  normaliseIsoDateTime,
  plainNumberText,
} from './cell-values.js';
import type { ReadLimits, ZipLimits } from './limits.js';
import { readErrors } from './read-errors.js';
import type { RawRow, RowBatches } from './rows.js';
import { addReadProblem } from './types.js';
import type { Workbook, WorkbookSheet } from './workbook.js';
import { localName, streamXml, type XmlHandlers, type XmlTag } from './xml.js';
import type { GuardedZip } from './zip.js';

export const XLSX_EXPECTED = 'an Excel workbook (.xlsx)';
/** Relationship and workbook parts are small; a megabyte-scale one is not a spreadsheet's. */
const SMALL_PART_BYTES = 16 * 1024 * 1024;

interface Relationship {
  id: string;
  type: string;
  target: string;
}

interface XlsxContext {
  zip: GuardedZip;
  limits: ReadLimits;
  zipLimits: ZipLimits;
}

const attribute = (tag: XmlTag, name: string): string | undefined => tag.attributes[name];

/** The first attribute whose local name matches, whatever its prefix (`r:id`, `ns1:id`). */
function prefixedAttribute(tag: XmlTag, local: string): string | undefined {
  for (const [name, value] of Object.entries(tag.attributes)) {
    if (name.includes(':') && localName(name) === local) return value;
  }
  return undefined;
}

function xmlSettings(context: XlsxContext, partName: string) {
  return {
    partName,
    expected: XLSX_EXPECTED,
    maxRunBytes: context.zipLimits.maxXmlRunBytes,
    maxCellChars: context.limits.maxCellChars,
    maxDepth: context.zipLimits.maxXmlDepth,
    maxElements: context.zipLimits.maxXmlElements,
  };
}

/** Parses a whole small part with handlers that keep their own state. */
async function parsePart(
  context: XlsxContext,
  partName: string,
  handlers: XmlHandlers,
  maxBytes = SMALL_PART_BYTES,
): Promise<void> {
  const chunks = context.zip.read(partName, { maxBytes });
  for await (const _ of streamXml<never>(chunks, xmlSettings(context, partName), () => handlers)) {
    // Nothing is emitted; the handlers collect.
  }
}

const noop = (): void => {};

async function readRelationships(context: XlsxContext, partName: string): Promise<Relationship[]> {
  const relationships: Relationship[] = [];
  if (!context.zip.has(partName)) return relationships;
  await parsePart(context, partName, {
    open(tag) {
      if (localName(tag.name) !== 'Relationship' || attribute(tag, 'TargetMode') === 'External') return;
      const id = attribute(tag, 'Id');
      const target = attribute(tag, 'Target');
      if (id && target) relationships.push({ id, type: attribute(tag, 'Type') ?? '', target });
    },
    close: noop,
    text: noop,
  });
  return relationships;
}

/** Relationship targets are relative to the source part's folder, or absolute from the package root. */
function resolveTarget(sourcePart: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return path.posix.normalize(path.posix.join(path.posix.dirname(sourcePart), target));
}

function relationshipsPartOf(partName: string): string {
  return path.posix.join(path.posix.dirname(partName), '_rels', `${path.posix.basename(partName)}.rels`);
}

/** Where the workbook part is, by the package's root relationships (usually xl/workbook.xml). */
export async function findWorkbookPart(
  zip: GuardedZip,
  limits: ReadLimits,
  zipLimits: ZipLimits,
): Promise<string | null> {
  const context = { zip, limits, zipLimits };
  const rootRelationships = await readRelationships(context, '_rels/.rels');
  const officeDocument = rootRelationships.find((relationship) =>
    relationship.type.endsWith('/officeDocument'),
  );
  const candidate = officeDocument ? resolveTarget('', officeDocument.target) : 'xl/workbook.xml';
  if (zip.has(candidate) && candidate.toLowerCase().endsWith('.xml')) return candidate;
  return zip.has('xl/workbook.xml') ? 'xl/workbook.xml' : null;
}

interface SheetEntry extends WorkbookSheet {
  part: string | null;
}

export async function openXlsxWorkbook(
  zip: GuardedZip,
  workbookPart: string,
  limits: ReadLimits,
  zipLimits: ZipLimits,
): Promise<Workbook> {
  const context: XlsxContext = { zip, limits, zipLimits };

  let date1904 = false;
  const declaredSheets: { name: string; hidden: boolean; relationshipId: string | undefined }[] = [];
  await parsePart(context, workbookPart, {
    open(tag) {
      switch (localName(tag.name)) {
        case 'workbookPr': {
          const value = attribute(tag, 'date1904');
          date1904 = value === '1' || value === 'true';
          break;
        }
        case 'sheet':
          if (declaredSheets.length >= zipLimits.maxSheets) {
            throw readErrors.workbookTooComplex(
              'its workbook declares more sheets than a spreadsheet holds',
              zipLimits.maxSheets,
              declaredSheets.length + 1,
            );
          }
          declaredSheets.push({
            name: attribute(tag, 'name') ?? `Sheet${declaredSheets.length + 1}`,
            hidden: (attribute(tag, 'state') ?? 'visible') !== 'visible',
            relationshipId: prefixedAttribute(tag, 'id'),
          });
          break;
      }
    },
    close: noop,
    text: noop,
  });

  const relationships = await readRelationships(context, relationshipsPartOf(workbookPart));
  const byId = new Map(relationships.map((relationship) => [relationship.id, relationship]));
  const partOfType = (suffix: string, fallback: string): string | null => {
    const found = relationships.find((relationship) => relationship.type.endsWith(suffix));
    const part = found ? resolveTarget(workbookPart, found.target) : fallback;
    return zip.has(part) ? part : null;
  };

  const sheets: SheetEntry[] = declaredSheets.map((sheet) => {
    const relationship = sheet.relationshipId ? byId.get(sheet.relationshipId) : undefined;
    // Chart sheets and dialog sheets hold no rows.
    const isWorksheet =
      relationship !== undefined && (relationship.type === '' || relationship.type.endsWith('/worksheet'));
    const part = isWorksheet ? resolveTarget(workbookPart, relationship.target) : null;
    return { name: sheet.name, hidden: sheet.hidden, part: part && zip.has(part) ? part : null };
  });

  const stylesPart = partOfType('/styles', 'xl/styles.xml');
  const { dateKinds, digitPatterns } = stylesPart
    ? await readCellStyles(context, stylesPart)
    : { dateKinds: [], digitPatterns: [] };
  const sharedStringsPart = partOfType('/sharedStrings', 'xl/sharedStrings.xml');
  let sharedStrings: string[] | null = null;

  return {
    sheets,
    async *openSheetRows(index: number): RowBatches {
      const part = sheets[index]?.part;
      if (!part) return;
      sharedStrings ??= sharedStringsPart ? await readSharedStrings(context, sharedStringsPart) : [];
      yield* readSheetRows(context, part, { sharedStrings, dateKinds, digitPatterns, date1904 });
    },
  };
}

/**
 * For each cell style (`s` attribute), whether its number format shows a date or a time, and
 * whether it pads whole numbers (`00000`, `000-000`), so that such a cell reads as displayed.
 */
async function readCellStyles(
  context: XlsxContext,
  partName: string,
): Promise<{ dateKinds: (DateKind | null)[]; digitPatterns: (DigitPattern | null)[] }> {
  const formatCodes = new Map<number, string>();
  const styleFormatIds: number[] = [];
  let inCellFormats = false;
  await parsePart(context, partName, {
    open(tag) {
      switch (localName(tag.name)) {
        case 'numFmt': {
          const id = Number(attribute(tag, 'numFmtId'));
          const code = attribute(tag, 'formatCode');
          if (Number.isInteger(id) && code !== undefined) formatCodes.set(id, code);
          break;
        }
        case 'cellXfs':
          inCellFormats = true;
          break;
        case 'xf':
          if (inCellFormats) styleFormatIds.push(Number(attribute(tag, 'numFmtId') ?? 0));
          break;
      }
    },
    close(tag) {
      if (localName(tag.name) === 'cellXfs') inCellFormats = false;
    },
    text: noop,
  });
  return {
    dateKinds: styleFormatIds.map((id) => dateKindOfFormat(id, formatCodes.get(id))),
    digitPatterns: styleFormatIds.map((id) => digitPatternOf(formatCodes.get(id))),
  };
}

/**
 * The shared string table, rich-text runs joined, phonetic guides (`rPh`) left out. It is held in
 * memory for the whole read, so its size is bounded: characters, plus an overhead per string.
 */
async function readSharedStrings(context: XlsxContext, partName: string): Promise<string[]> {
  const strings: string[] = [];
  const maxCellChars = context.limits.maxCellChars;
  const { maxSharedStringChars, sharedStringOverheadChars } = context.zipLimits;
  let heldChars = 0;
  let inItem = false;
  let inPhonetic = false;
  let inText = false;
  let current = '';
  await parsePart(
    context,
    partName,
    {
      open(tag) {
        switch (localName(tag.name)) {
          case 'si':
            inItem = true;
            current = '';
            break;
          case 'rPh':
            inPhonetic = true;
            break;
          case 't':
            inText = inItem && !inPhonetic;
            break;
        }
      },
      close(tag) {
        switch (localName(tag.name)) {
          case 'si': {
            const text = decodeEscapes(current);
            heldChars += text.length + sharedStringOverheadChars;
            if (heldChars > maxSharedStringChars) {
              throw readErrors.workbookTooComplex(
                'its shared string table holds more text than one import takes',
                maxSharedStringChars,
                heldChars,
                { entry: partName, strings: strings.length + 1 },
              );
            }
            strings.push(text);
            current = '';
            inItem = false;
            break;
          }
          case 'rPh':
            inPhonetic = false;
            break;
          case 't':
            inText = false;
            break;
        }
      },
      text(text) {
        if (!inText) return;
        current += text;
        if (current.length > maxCellChars) {
          throw readErrors.cellTooLarge(maxCellChars, current.length, { what: 'cell' });
        }
      },
    },
    context.zipLimits.maxSharedStringsBytes,
  );
  return strings;
}

/**
 * Decodes the `_xHHHH_` escapes of OOXML text (ECMA-376 ST_Xstring): Excel writes a carriage return
 * inside a cell as `_x000D_`, and a literal `_x000D_` typed by someone as `_x005F_x000D_`.
 */
export function decodeEscapes(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** 0-based column of a reference like `AB12`, or null when it has no letters. */
export function columnOfReference(reference: string): number | null {
  let column = 0;
  let letters = 0;
  for (let i = 0; i < reference.length; i++) {
    const code = reference.charCodeAt(i) | 0x20;
    if (code < 0x61 || code > 0x7a) break;
    column = column * 26 + (code - 0x60);
    letters++;
  }
  return letters === 0 ? null : column - 1;
}

interface SheetLookups {
  sharedStrings: string[];
  dateKinds: (DateKind | null)[];
  digitPatterns: (DigitPattern | null)[];
  date1904: boolean;
}

function readSheetRows(context: XlsxContext, partName: string, lookups: SheetLookups): RowBatches {
  const { maxCellChars, maxColumns, maxRecordChars } = context.limits;
  const chunks = context.zip.read(partName);

  return streamXml<RawRow>(chunks, xmlSettings(context, partName), (emit) => {
    let inSheetData = false;
    let row: RawRow | null = null;
    let lastRowNumber = 0;
    let nextColumn = 0;
    // Characters of the row's cells so far: shared strings are counted each time a cell uses them.
    let rowChars = 0;
    // The cell being read.
    let inCell = false;
    let column = 0;
    let cellType = 'n';
    let style = 0;
    let value = '';
    let inline = '';
    let capture: 'value' | 'inline' | 'formula' | null = null;
    let inInlineString = false;
    let inPhonetic = false;
    // A formula, and whether a value was saved with it.
    let formula: string | null = null;
    let sawValue = false;

    const cellText = (): string => {
      switch (cellType) {
        case 's': {
          if (value.trim() === '') return '';
          const text = lookups.sharedStrings[Number(value)];
          if (text === undefined) {
            throw readErrors.fileUnreadable(
              XLSX_EXPECTED,
              `a cell in row ${row?.rowNumber} refers to shared text that does not exist`,
            );
          }
          return text;
        }
        case 'inlineStr':
          return decodeEscapes(inline || value);
        case 'str':
          return decodeEscapes(value);
        case 'e':
          return value;
        case 'b':
          return value === ''
            ? ''
            : booleanText(value.trim() === '1' || value.trim().toLowerCase() === 'true');
        case 'd':
          return normaliseIsoDateTime(value);
        default: {
          if (value.trim() === '') return '';
          const dateKind = lookups.dateKinds[style];
          if (dateKind) return excelSerialToIso(Number(value), dateKind, lookups.date1904);
          const digits = lookups.digitPatterns[style];
          return (digits && formatDigits(value, digits)) ?? plainNumberText(value);
        }
      }
    };

    return {
      open(tag) {
        switch (localName(tag.name)) {
          case 'sheetData':
            inSheetData = true;
            break;
          case 'row': {
            if (!inSheetData) break;
            const declared = Number(attribute(tag, 'r'));
            lastRowNumber = Number.isInteger(declared) && declared > 0 ? declared : lastRowNumber + 1;
            row = { rowNumber: lastRowNumber, cells: [] };
            nextColumn = 0;
            rowChars = 0;
            break;
          }
          case 'c': {
            if (!row) break;
            const reference = attribute(tag, 'r');
            column = (reference === undefined ? null : columnOfReference(reference)) ?? nextColumn;
            cellType = attribute(tag, 't') ?? 'n';
            style = Number(attribute(tag, 's') ?? 0) || 0;
            value = '';
            inline = '';
            inCell = true;
            formula = null;
            sawValue = false;
            break;
          }
          case 'v':
            if (inCell) {
              capture = 'value';
              sawValue = true;
            }
            break;
          case 'f':
            if (inCell) {
              formula = '';
              capture = 'formula';
            }
            break;
          case 'is':
            if (inCell) inInlineString = true;
            break;
          case 'rPh':
            inPhonetic = true;
            break;
          case 't':
            if (inInlineString && !inPhonetic) capture = 'inline';
            break;
        }
      },
      close(tag) {
        switch (localName(tag.name)) {
          case 'v':
          case 't':
          case 'f':
            capture = null;
            break;
          case 'rPh':
            inPhonetic = false;
            break;
          case 'is':
            inInlineString = false;
            break;
          case 'c': {
            if (!row || !inCell) break;
            inCell = false;
            nextColumn = column + 1;
            const text = cellText();
            if (formula !== null && !sawValue && cellType !== 'inlineStr') {
              // Written by a program that does not calculate: the value is unknown, not empty.
              addReadProblem(row, {
                column,
                code: 'read.formula_without_value',
                message: `The cell holds a formula${formula ? ` (=${formula.slice(0, 200)})` : ''} but no value was saved with it, so it was read as empty. Open the file in Excel or LibreOffice and save it again, or type the value.`,
                severity: 'error',
              });
            }
            if (text === '') break;
            if (column >= maxColumns) throw readErrors.tooManyColumns(maxColumns, column + 1, row.rowNumber);
            rowChars += text.length;
            if (rowChars > maxRecordChars) {
              throw readErrors.cellTooLarge(maxRecordChars, rowChars, {
                what: 'row',
                rowNumber: row.rowNumber,
                workbook: true,
              });
            }
            while (row.cells.length < column) row.cells.push('');
            row.cells[column] = text;
            break;
          }
          case 'row':
            // Rows without values are blank: their numbers live on in the next row's `r`.
            if (row && (row.cells.length > 0 || row.problems)) emit(row);
            row = null;
            break;
          case 'sheetData':
            inSheetData = false;
            break;
        }
      },
      text(text) {
        if (capture === null) return;
        if (capture === 'formula') {
          if (formula !== null && formula.length < 1000) formula += text;
          return;
        }
        if (capture === 'value') value += text;
        else inline += text;
        const length = capture === 'value' ? value.length : inline.length;
        if (length > maxCellChars) {
          throw readErrors.cellTooLarge(maxCellChars, length, {
            what: 'cell',
            rowNumber: row?.rowNumber,
            column: column + 1,
          });
        }
      },
    };
  });
}
