import { stat } from 'node:fs/promises';
import {
  decodeSample,
  detectDelimiter,
  detectEncoding,
  detectNewline,
  looksBinary,
  looksLikeMarkup,
  readCsvRecords,
} from './csv.js';
import { type ReadLimits, resolveReadLimits, resolveZipLimits } from './limits.js';
import { ODS_EXPECTED, openOdsSheet } from './ods.js';
import { readErrors } from './read-errors.js';
import { firstNonEmptySheet, type RawRow, RowCursor, withHeader } from './rows.js';
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
  const detected = await detectEncoding(filePath, head, signal);
  const notText = (): Error =>
    readErrors.fileUnreadable(expectedFormatText(hint), notTextMessage(hint), { detected: 'binary' });
  if (detected === 'binary') throw notText();
  const sample = decodeSample(head, detected.encoding);
  if (looksBinary(sample)) throw notText();
  if (looksLikeMarkup(sample)) {
    throw readErrors.fileUnreadable(
      expectedFormatText(hint),
      'it is an XML or HTML file (such as an "XML Spreadsheet 2003" or a web page saved with a spreadsheet name)',
      { detected: 'markup' },
    );
  }

  const settings = {
    ...detected,
    newline: detectNewline(sample),
    delimiter: detectDelimiter(sample, {
      sampleIsWholeFile: head.length >= size,
      preferTab: /\.(tsv|tab)$/i.test(options.fileName ?? ''),
    }),
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

async function chooseXlsxSheet(
  zip: GuardedZip,
  workbookPart: string,
  limits: ReadLimits,
  zipLimits: ReturnType<typeof resolveZipLimits>,
) {
  const workbook = await openXlsxWorkbook(zip, workbookPart, limits, zipLimits);
  const chosen = await firstNonEmptySheet(sheetSearchOrder(workbook.sheets), (index) =>
    workbook.openSheetRows(index),
  );
  if (!chosen) return null;
  const sheetNames = workbook.sheets.map((sheet) => sheet.name);
  return { ...chosen, name: sheetNames[chosen.index]!, sheetNames };
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
        ? await openOdsSheet(zip, limits, zipLimits)
        : await chooseXlsxSheet(zip, kind.workbookPart, limits, zipLimits);
    if (!chosen) throw readErrors.fileEmpty('no_rows');
    const headered = await withHeader(chosen.rows, chosen.firstRow, limits, options.signal, () =>
      zip.close(),
    );
    return {
      format: kind.format,
      // ODS: sheetNames fills up as the one pass over the file goes on, complete once the rows are read.
      sheet: { name: chosen.name, index: chosen.index, sheetNames: chosen.sheetNames },
      ...headered,
    };
  } catch (error) {
    zip.close();
    throw error;
  }
}
