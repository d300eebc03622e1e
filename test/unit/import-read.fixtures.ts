/**
 * Fixture files for the import-read tests, written into a temporary folder by real writers
 * (csv-stringify, ExcelJS, SheetJS for ODS, yazl for hand-assembled archives).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Options as StringifyOptions, stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import * as XLSX from 'xlsx';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { isAppError } from '../../src/core/errors.js';
import type { OpenTabularFileOptions, TabularRow, TabularSource } from '../../src/core/import/read/index.js';
import { openTabularFile } from '../../src/core/import/read/index.js';

export interface Fixtures {
  dir: string;
  file(name: string): string;
  bytes(name: string, content: Uint8Array | string): Promise<string>;
  csv(name: string, records: unknown[][], options?: StringifyOptions): Promise<string>;
  xlsx(name: string, build: (workbook: ExcelJS.Workbook) => void): Promise<string>;
  ods(name: string, sheets: { name: string; rows: unknown[][] }[]): Promise<string>;
  zip(name: string, entries: ZipEntry[]): Promise<string>;
  cleanup(): Promise<void>;
}

export interface ZipEntry {
  name: string;
  data: Buffer | string | (() => Readable);
  /** Stored without compression (the ODF `mimetype` entry must be). */
  store?: boolean;
}

export async function makeFixtures(): Promise<Fixtures> {
  const dir = await mkdtemp(path.join(tmpdir(), 'roster-import-read-'));
  const file = (name: string): string => path.join(dir, name);
  return {
    dir,
    file,
    async bytes(name, content) {
      await writeFile(file(name), content);
      return file(name);
    },
    async csv(name, records, options = {}) {
      await writeFile(file(name), stringify(records, options));
      return file(name);
    },
    async xlsx(name, build) {
      const workbook = new ExcelJS.Workbook();
      build(workbook);
      await workbook.xlsx.writeFile(file(name));
      return file(name);
    },
    async ods(name, sheets) {
      const workbook = XLSX.utils.book_new();
      for (const sheet of sheets) {
        XLSX.utils.book_append_sheet(
          workbook,
          XLSX.utils.aoa_to_sheet(sheet.rows, { cellDates: true }),
          sheet.name,
        );
      }
      // SheetJS's write() returns `any`; with type 'buffer' it is a Buffer.
      const buffer = XLSX.write(workbook, { bookType: 'ods', type: 'buffer', compression: true }) as Buffer;
      await writeFile(file(name), buffer);
      return file(name);
    },
    async zip(name, entries) {
      await writeZip(file(name), entries);
      return file(name);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Writes an archive with yazl, streaming entries given as stream factories (deflate never holds them whole). */
export async function writeZip(target: string, entries: ZipEntry[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    const options = { compress: !entry.store };
    if (typeof entry.data === 'function') zip.addReadStream(entry.data(), entry.name, options);
    else zip.addBuffer(Buffer.from(entry.data), entry.name, options);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(target));
}

/** Every entry of an archive, in its order, read whole (for small real files that a test then edits). */
export async function readZipEntries(source: string): Promise<{ name: string; data: Buffer }[]> {
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(source, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const entries: { name: string; data: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    zipfile.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) {
        zipfile.readEntry();
        return;
      }
      zipfile.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.push({ name: entry.fileName, data: Buffer.concat(chunks) });
          zipfile.readEntry();
        });
      });
    });
    zipfile.on('end', () => resolve());
    zipfile.on('error', reject);
    zipfile.readEntry();
  });
  return entries;
}

/** Copies an archive, replacing the entries `replace` returns something for. */
export async function rewriteZip(
  source: string,
  target: string,
  replace: (name: string, data: Buffer) => ZipEntry['data'] | undefined,
): Promise<string> {
  const entries = await readZipEntries(source);
  await writeZip(
    target,
    entries.map(({ name, data }) => ({ name, data: replace(name, data) ?? data })),
  );
  return target;
}

/**
 * Rewrites the uncompressed size an archive's central directory declares for one entry (a lie that
 * only a counting reader notices). The archive is small: it is read whole.
 */
export async function patchDeclaredSize(
  zipPath: string,
  entryName: string,
  declaredSize: number,
): Promise<void> {
  const bytes = await readFile(zipPath);
  const name = Buffer.from(entryName);
  let offset = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  // Walk back to the first central directory record, then forward through all of them.
  while (offset > 0) {
    const previous = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), offset - 1);
    if (previous < 0) break;
    offset = previous;
  }
  let patched = false;
  while (offset >= 0 && bytes.readUInt32LE(offset) === 0x02014b50) {
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    if (bytes.subarray(offset + 46, offset + 46 + nameLength).equals(name)) {
      bytes.writeUInt32LE(declaredSize, offset + 24);
      patched = true;
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  if (!patched) throw new Error(`No central directory record for ${entryName}`);
  await writeFile(zipPath, bytes);
}

/** A stream of `total` bytes made of `unit` repeated, produced lazily. */
export function repeatedBytes(unit: string, total: number, prefix = '', suffix = ''): () => Readable {
  return () => {
    const block = Buffer.from(unit.repeat(Math.ceil((1024 * 1024) / unit.length)));
    let produced = 0;
    return Readable.from(
      (function* () {
        yield Buffer.from(prefix);
        while (produced < total) {
          const piece = block.subarray(0, Math.min(block.length, total - produced));
          produced += piece.length;
          yield piece;
        }
        yield Buffer.from(suffix);
      })(),
    );
  };
}

/** An ODS package around a content.xml written the way LibreOffice writes it. */
export function odsEntries(
  body: string,
  mimetype = 'application/vnd.oasis.opendocument.spreadsheet',
): ZipEntry[] {
  return [
    { name: 'mimetype', data: mimetype, store: true },
    {
      name: 'META-INF/manifest.xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
    },
    {
      name: 'content.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3"><office:body><office:spreadsheet>${body}</office:spreadsheet></office:body></office:document-content>`,
    },
  ];
}

export async function readAll(source: TabularSource): Promise<TabularRow[]> {
  const rows: TabularRow[] = [];
  for await (const row of source.rows()) rows.push(row);
  return rows;
}

/** Opens and reads a whole file. */
export async function readTabular(filePath: string, options: OpenTabularFileOptions = {}) {
  const source = await openTabularFile(filePath, options);
  const rows = await readAll(source);
  return { source, rows };
}

/** The AppError an operation failed with (fails the test if it did not fail with one). */
export async function appErrorOf(operation: () => Promise<unknown>) {
  try {
    await operation();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('Expected the operation to fail with an AppError');
}

export const cellsOf = (rows: TabularRow[]): string[][] => rows.map((row) => row.cells);
