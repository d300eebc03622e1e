/**
 * Hand-assembled hostile workbooks, written with yazl while they are generated: small on disk,
 * whatever they inflate to.
 */
import { Readable } from 'node:stream';
import type { ZipEntry } from '../unit/import-read.fixtures.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export const SHEET_OPEN = `<worksheet xmlns="${MAIN}"><sheetData>`;
export const SHEET_CLOSE = '</sheetData></worksheet>';

export interface XlsxSheetSpec {
  name: string;
  /** The part the sheet's relationship points at (several sheets may share one). */
  part: string;
  hidden?: boolean;
}

/**
 * The entries of a minimal XLSX package: content types, relationships, a workbook declaring
 * `sheets`, the given parts, and a shared string table when given.
 */
export function xlsxEntries(
  sheets: XlsxSheetSpec[],
  parts: Record<string, ZipEntry['data']>,
  sharedStrings?: ZipEntry['data'],
): ZipEntry[] {
  const sheetTags = sheets
    .map(
      (sheet, i) =>
        `<sheet name="${sheet.name}" sheetId="${i + 1}"${sheet.hidden ? ' state="hidden"' : ''} r:id="rId${i + 1}"/>`,
    )
    .join('');
  const sheetRels = sheets
    .map(
      (sheet, i) =>
        `<Relationship Id="rId${i + 1}" Type="${OFFICE_RELS}/worksheet" Target="/${sheet.part}"/>`,
    )
    .join('');
  const sharedRel = sharedStrings
    ? `<Relationship Id="rIdS" Type="${OFFICE_RELS}/sharedStrings" Target="sharedStrings.xml"/>`
    : '';
  const entries: ZipEntry[] = [
    {
      name: '[Content_Types].xml',
      data: '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    },
    {
      name: '_rels/.rels',
      data: `<Relationships xmlns="${RELS}"><Relationship Id="r1" Type="${OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `<workbook xmlns="${MAIN}" xmlns:r="${OFFICE_RELS}"><sheets>${sheetTags}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<Relationships xmlns="${RELS}">${sheetRels}${sharedRel}</Relationships>`,
    },
  ];
  for (const [name, data] of Object.entries(parts)) entries.push({ name, data });
  if (sharedStrings) entries.push({ name: 'xl/sharedStrings.xml', data: sharedStrings });
  return entries;
}

/** A sheet's XML from its rows of cells, each cell an inline string. */
export function sheetXml(rows: string[][]): string {
  const body = rows
    .map(
      (cells, r) =>
        `<row r="${r + 1}">${cells.map((text) => `<c t="inlineStr"><is><t>${text}</t></is></c>`).join('')}</row>`,
    )
    .join('');
  return `${SHEET_OPEN}${body}${SHEET_CLOSE}`;
}

/** A stream made by `piece(i)` for i = 0, 1, … until `total` bytes, between `prefix` and `suffix`. */
export function generatedBytes(
  piece: (i: number) => string,
  total: number,
  prefix = '',
  suffix = '',
): () => Readable {
  return () =>
    Readable.from(
      (function* () {
        yield Buffer.from(prefix);
        let produced = 0;
        let i = 0;
        while (produced < total) {
          let chunk = '';
          while (chunk.length < 256 * 1024 && produced + chunk.length < total) chunk += piece(i++);
          produced += chunk.length;
          yield Buffer.from(chunk);
        }
        yield Buffer.from(suffix);
      })(),
    );
}
