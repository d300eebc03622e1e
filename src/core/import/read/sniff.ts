import { open } from 'node:fs/promises';
import path from 'node:path';

/** What the first bytes of a file say it is. The file name only picks the wording of errors. */
export type ContentKind = 'zip' | 'ole2' | 'pdf' | 'image' | 'compressed' | 'text';

export const SNIFF_BYTES = 64 * 1024;

export async function readHead(filePath: string, bytes = SNIFF_BYTES): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const startsWith = (head: Uint8Array, signature: readonly number[]): boolean =>
  signature.every((byte, i) => head[i] === byte);

export function contentKind(head: Uint8Array): ContentKind {
  // PK\3\4 opens an archive with entries; PK\5\6 is an archive with none (still a zip, still unreadable).
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  // Compound File Binary: Excel 97–2003 .xls, and also every password-protected .xlsx.
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole2';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (
    startsWith(head, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(head, [0xff, 0xd8, 0xff]) ||
    startsWith(head, [0x47, 0x49, 0x46, 0x38]) ||
    (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head.subarray(8), [0x57, 0x45, 0x42, 0x50]))
  ) {
    return 'image';
  }
  if (
    startsWith(head, [0x1f, 0x8b]) ||
    startsWith(head, [0x52, 0x61, 0x72, 0x21]) ||
    startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])
  ) {
    return 'compressed';
  }
  return 'text';
}

export type ExtensionHint = 'csv' | 'xlsx' | 'xls' | 'ods' | 'unknown';

export function extensionHint(fileName: string | undefined): ExtensionHint {
  const extension = path.extname(fileName ?? '').toLowerCase();
  switch (extension) {
    case '.csv':
    case '.tsv':
    case '.tab':
    case '.txt':
      return 'csv';
    case '.xlsx':
    case '.xlsm':
      return 'xlsx';
    case '.xls':
      return 'xls';
    case '.ods':
      return 'ods';
    default:
      return 'unknown';
  }
}

/** How an error names what the upload should have been, from its extension. */
export function expectedFormatText(hint: ExtensionHint): string {
  switch (hint) {
    case 'csv':
      return 'a CSV text file';
    case 'xlsx':
      return 'an Excel workbook (.xlsx)';
    case 'xls':
      return 'a spreadsheet (.xls files from Excel 97–2003 are not supported)';
    case 'ods':
      return 'an OpenDocument spreadsheet (.ods)';
    default:
      return 'a CSV, XLSX or ODS spreadsheet';
  }
}

export function describeNonSpreadsheet(kind: Exclude<ContentKind, 'zip' | 'text'>): string {
  switch (kind) {
    case 'ole2':
      return 'it is an Excel 97–2003 (.xls) file or a password-protected workbook, which cannot be read';
    case 'pdf':
      return 'it is a PDF document';
    case 'image':
      return 'it is an image';
    case 'compressed':
      return 'it is a compressed archive (gzip, RAR or 7z)';
  }
}
