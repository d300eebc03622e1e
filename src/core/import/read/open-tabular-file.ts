import { stat } from 'node:fs/promises';
import {
  decodeSample,
  detectDelimiter,
  detectEncoding,
  detectLineEnding,
  looksBinary,
  looksLikeMarkup,
  readCsvRecords,
  sepLineDelimiter,
} from './csv.js';
import { type ReadLimits, resolveReadLimits, resolveZipLimits } from './limits.js';
import { ODS_EXPECTED, openOdsSheet } from './ods.js';
import { readErrors } from './read-errors.js';
import { firstNonEmptySheet, type RawRow, type RowBatches, RowCursor, withHeader } from './rows.js';
import {
  contentKind,
  describeNonSpreadsheet,
  type ExtensionHint,
  expectedFormatText,
  extensionHint,
  readHead,
} from './sniff.js';
import type { OpenTabularFileOptions, TabularSource } from './types.js';
import { sheetSearchOrder } from './workbook.js';
import { findWorkbookPart, openXlsxWorkbook, XLSX_EXPECTED } from './xlsx.js';
import { GuardedZip } from './zip.js';

/**
 * Opens an uploaded CSV/TSV/TXT, XLSX or ODS file: checks its size, recognises its format by
 * content, reads up to the header (and the template's hint row), and returns the rest as a stream.
 * Every problem with the file itself is an AppError with an `import.*` code; nothing is written
 * anywhere. Call `close()` if the rows are not read to the end.
 */
export async function openTabularFile(
  filePath: string,
  options: OpenTabularFileOptions = {},
): Promise<TabularSource> {
  const { signal } = options;
  signal?.throwIfAborted();
  const limits = resolveReadLimits(options);
  const { size } = await stat(filePath);
  if (size > limits.maxBytes) throw readErrors.fileTooLarge(limits.maxBytes, size);
  if (size === 0) throw readErrors.fileEmpty('no_bytes');

  const head = await readHead(filePath);
  const kind = contentKind(head);
  const hint = extensionHint(options.fileName);
  switch (kind) {
    case 'zip':
      return openWorkbookFile(filePath, size, hint, limits, options);
    case 'text':
      return openCsvFile(filePath, size, head, hint, limits, options);
    default:
      throw readErrors.fileUnreadable(expectedFormatText(hint), describeNonSpreadsheet(kind), {
        detected: kind,
      });
  }
}

function notTextMessage(hint: ExtensionHint): string {
  if (hint === 'xlsx' || hint === 'ods') {
    return 'it is not a zip archive, as every .xlsx and .ods file is, and not text either';
  }
  return 'its content is binary, not text';
}

async function openCsvFile(
  filePath: string,
  size: number,
  head: Buffer,
  hint: ExtensionHint,
  limits: ReadLimits,
  options: OpenTabularFileOptions,
): Promise<TabularSource> {
  const { signal } = options;
  const detected = await detectEncoding(filePath, head, signal, options.encoding);
  const notText = (found = notTextMessage(hint)): Error =>
    readErrors.fileUnreadable(expectedFormatText(hint), found, { detected: 'binary' });
  if ('binary' in detected) {
    throw notText(
      detected.zeroByteAt < head.length
        ? notTextMessage(hint)
        : `it holds a zero byte (at byte ${detected.zeroByteAt.toLocaleString('en-US')}), which no text file does`,
    );
  }
  const sample = decodeSample(head, detected.encoding);
  if (looksBinary(sample)) throw notText();
  if (looksLikeMarkup(sample)) {
    throw readErrors.fileUnreadable(
      expectedFormatText(hint),
      'it is an XML or HTML file (such as an "XML Spreadsheet 2003" or a web page saved with a spreadsheet name)',
      { detected: 'markup' },
    );
  }

  const fromSepLine = sepLineDelimiter(sample.replace(/^\uFEFF/, ''));
  const delimiter =
    options.delimiter ??
    fromSepLine ??
    detectDelimiter(sample, {
      sampleIsWholeFile: head.length >= size,
      preferTab: /\.(tsv|tab)$/i.test(options.fileName ?? ''),
    });
  const settings = {
    ...detected,
    delimiter,
    skipRecords: fromSepLine ? 1 : 0,
  };
  const records = new RowCursor(readCsvRecords(filePath, settings, limits, signal));
  let headerRow: RawRow | null;
  try {
    headerRow = await records.nextNonBlank();
  } catch (error) {
    await records.close();
    throw error;
  }
  if (!headerRow) {
    await records.close();
    throw readErrors.fileEmpty('no_rows');
  }
  const headered = await withHeader(records, headerRow, limits, signal, () => {});
  return {
    format: 'csv',
    encoding: settings.encoding,
    byteOrderMark: settings.byteOrderMark,
    delimiter: settings.delimiter,
    lineEnding: detectLineEnding(sample),
    detected: { encoding: options.encoding === undefined, delimiter: options.delimiter === undefined },
    sepLine: fromSepLine !== null,
    invalidBytes: settings.invalidBytes,
    ...headered,
  };
}

type WorkbookKind = { format: 'xlsx'; workbookPart: string } | { format: 'ods' };

const ODF_SPREADSHEET = /^application\/vnd\.oasis\.opendocument\.spreadsheet(-template)?$/;

/** XLSX or ODS by what the archive holds: the ODF `mimetype` entry, or the OPC package's workbook part. */
async function workbookKind(
  zip: GuardedZip,
  limits: ReadLimits,
  zipLimits: ReturnType<typeof resolveZipLimits>,
): Promise<WorkbookKind> {
  if (zip.has('mimetype')) {
    const mimetype = (await zip.readText('mimetype', 1024)).trim();
    if (ODF_SPREADSHEET.test(mimetype)) return { format: 'ods' };
    if (mimetype.startsWith('application/vnd.oasis.opendocument.')) {
      throw readErrors.fileUnreadable(zip.expected, 'it is an OpenDocument file, but not a spreadsheet', {
        mimetype,
      });
    }
  }
  if (zip.has('[Content_Types].xml') || zip.has('xl/workbook.xml')) {
    const workbookPart = await findWorkbookPart(zip, limits, zipLimits);
    if (workbookPart) return { format: 'xlsx', workbookPart };
    if (zip.has('xl/workbook.bin'))
      throw readErrors.fileUnreadable(zip.expected, 'it is an Excel binary workbook (.xlsb)');
    if (zip.has('word/document.xml')) throw readErrors.fileUnreadable(zip.expected, 'it is a Word document');
    if (zip.has('ppt/presentation.xml'))
      throw readErrors.fileUnreadable(zip.expected, 'it is a PowerPoint presentation');
  }
  if (zip.has('content.xml') && !zip.has('mimetype')) return { format: 'ods' };
  throw readErrors.fileUnreadable(zip.expected, 'it is a zip archive with no spreadsheet inside');
}

/** The sheet named `wanted`: exactly, else ignoring case. */
function sheetIndexByName(names: readonly string[], wanted: string): number {
  const exact = names.indexOf(wanted);
  if (exact >= 0) return exact;
  const folded = wanted.toLocaleLowerCase();
  return names.findIndex((name) => name.toLocaleLowerCase() === folded);
}

async function firstRowOf(openSheet: () => RowBatches): Promise<boolean> {
  const rows = new RowCursor(openSheet());
  try {
    return (await rows.nextNonBlank()) !== null;
  } finally {
    await rows.close();
  }
}

/**
 * The sheet to read: the one asked for, else the first visible sheet with data (hidden ones only
 * when no visible one has any). The other visible sheets with data are named, so that the admin
 * learns the workbook holds more than one and can pick another.
 */
async function chooseXlsxSheet(
  zip: GuardedZip,
  workbookPart: string,
  limits: ReadLimits,
  zipLimits: ReturnType<typeof resolveZipLimits>,
  wanted: string | undefined,
) {
  const workbook = await openXlsxWorkbook(zip, workbookPart, limits, zipLimits);
  const sheetNames = workbook.sheets.map((sheet) => sheet.name);
  let order = sheetSearchOrder(workbook.sheets);
  if (wanted !== undefined) {
    const index = sheetIndexByName(sheetNames, wanted);
    if (index < 0) throw readErrors.sheetNotFound(wanted, sheetNames);
    order = [index];
  }
  const chosen = await firstNonEmptySheet(order, (index) => workbook.openSheetRows(index));
  if (!chosen) {
    if (wanted !== undefined) throw readErrors.sheetNotFound(wanted, sheetNames);
    return null;
  }
  const otherSheetsWithData: string[] = [];
  try {
    for (let index = 0; index < workbook.sheets.length; index++) {
      if (index === chosen.index || workbook.sheets[index]!.hidden) continue;
      if (await firstRowOf(() => workbook.openSheetRows(index))) otherSheetsWithData.push(sheetNames[index]!);
    }
  } catch (error) {
    await chosen.rows.close();
    throw error;
  }
  return { ...chosen, name: sheetNames[chosen.index]!, sheetNames, otherSheetsWithData };
}

async function openWorkbookFile(
  filePath: string,
  size: number,
  hint: ExtensionHint,
  limits: ReadLimits,
  options: OpenTabularFileOptions,
): Promise<TabularSource> {
  const zipLimits = resolveZipLimits(options, size, limits);
  const expected = hint === 'ods' ? ODS_EXPECTED : hint === 'xlsx' ? XLSX_EXPECTED : expectedFormatText(hint);
  const zip = await GuardedZip.open(filePath, zipLimits, expected, options.signal);
  try {
    const kind = await workbookKind(zip, limits, zipLimits);
    zip.expected = kind.format === 'ods' ? ODS_EXPECTED : XLSX_EXPECTED;
    const chosen =
      kind.format === 'ods'
        ? await openOdsSheet(zip, limits, zipLimits, options.sheet)
        : await chooseXlsxSheet(zip, kind.workbookPart, limits, zipLimits, options.sheet);
    if (!chosen) throw readErrors.fileEmpty('no_rows');
    const headered = await withHeader(chosen.rows, chosen.firstRow, limits, options.signal, () =>
      zip.close(),
    );
    return {
      format: kind.format,
      // ODS: sheetNames fills up as the one pass over the file goes on, complete once the rows are read.
      sheet: {
        name: chosen.name,
        index: chosen.index,
        sheetNames: chosen.sheetNames,
        otherSheetsWithData: chosen.otherSheetsWithData,
      },
      ...headered,
    };
  } catch (error) {
    zip.close();
    throw error;
  }
}
