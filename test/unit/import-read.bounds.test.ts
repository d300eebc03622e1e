/**
 * The reader's limits on what a workbook may cost: XML nesting and elements, inflate budget per
 * read, sheets, row length, shared strings, and one pass over an ODS file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GuardedZip } from '../../src/core/import/read/zip.js';
import { generatedBytes, SHEET_CLOSE, SHEET_OPEN, sheetXml, xlsxEntries } from '../support/hostile-files.js';
import {
  appErrorOf,
  cellsOf,
  type Fixtures,
  makeFixtures,
  odsEntries,
  readTabular,
  repeatedBytes,
  writeZip,
} from './import-read.fixtures.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterAll(() => fixtures.cleanup());
afterEach(() => {
  vi.restoreAllMocks();
});

const MB = 1024 * 1024;
const SHEET = 'xl/worksheets/sheet1.xml';
const HEADER_ROW = '<row r="1"><c t="inlineStr"><is><t>email</t></is></c></row>';

async function xlsx(name: string, entries: Parameters<typeof writeZip>[1]): Promise<string> {
  await writeZip(fixtures.file(name), entries);
  return fixtures.file(name);
}

/** An opening tag, named apart from its neighbours so that the part compresses about 20:1, as the report's did. */
const unclosedTag = (i: number) => `<t${i} b="${(i * 7919) % 1_000_003}" a="${'a'.repeat(40)}">`;

/** Runs `operation` while sampling the heap; answers its outcome and the heap's growth at its peak. */
async function peakHeapGrowth(operation: () => Promise<unknown>) {
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 2);
  try {
    const outcome = await operation().catch((error: unknown) => error);
    return { outcome, growth: Math.max(peak, process.memoryUsage().heapUsed) - baseline };
  } finally {
    clearInterval(sampler);
  }
}

describe('XML nesting and size', () => {
  it('refuses a sheet of opening tags that are never closed at depth 65, with bounded memory', async () => {
    // 150 MB of `<a>` once took the process to a 4.4 GB heap: the parser kept every open element.
    const file = await xlsx('unclosed.xlsx', [
      ...xlsxEntries([{ name: 'Users', part: SHEET }], {
        [SHEET]: generatedBytes(unclosedTag, 150 * MB, SHEET_OPEN),
      }),
    ]);
    const { outcome, growth } = await peakHeapGrowth(() => readTabular(file));
    expect(outcome).toMatchObject({
      code: 'import.file_rejected',
      details: { limit: 64, actual: 65, entry: SHEET },
    });
    expect((outcome as Error).message).toMatch(/nests elements more than 64 deep/);
    expect(growth).toBeLessThan(64 * MB);
  }, 60_000);

  it('refuses unclosed tags in the shared string table the same way', async () => {
    const file = await xlsx('unclosed-strings.xlsx', [
      ...xlsxEntries(
        [{ name: 'Users', part: SHEET }],
        { [SHEET]: sheetXml([['email'], ['a@example.com']]) },
        generatedBytes(
          unclosedTag,
          60 * MB,
          '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        ),
      ),
    ]);
    const error = await appErrorOf(() => readTabular(file));
    expect(error).toMatchObject({
      code: 'import.file_rejected',
      details: { entry: 'xl/sharedStrings.xml', limit: 64 },
    });
  }, 60_000);

  it('refuses a part with more elements than the limit', async () => {
    const file = await xlsx('elements.xlsx', [
      ...xlsxEntries([{ name: 'Users', part: SHEET }], {
        [SHEET]: repeatedBytes('<row/>', 6 * 5000, `${SHEET_OPEN}${HEADER_ROW}`, SHEET_CLOSE),
      }),
    ]);
    const error = await appErrorOf(() => readTabular(file, { maxXmlElements: 1000 }));
    expect(error).toMatchObject({ code: 'import.file_rejected', details: { limit: 1000, actual: 1001 } });
    // Within the default, the same sheet is read to its end: a header without data rows.
    expect(await appErrorOf(() => readTabular(file))).toMatchObject({
      code: 'import.file_empty',
      details: { reason: 'no_data_rows' },
    });
  });
});

describe('inflate budget', () => {
  it('charges every read of a part: 400 sheets sharing one 1 MB part exhaust a 64 MB budget', async () => {
    // Empty rows: every sheet is read to its end looking for data.
    const shared = 'xl/worksheets/shared.xml';
    const sheets = Array.from({ length: 400 }, (_, i) => ({ name: `S${i}`, part: shared }));
    const file = await xlsx('shared-part.xlsx', [
      ...xlsxEntries(sheets, {
        [shared]: generatedBytes((i) => `<row r="${i + 1}"/>`, MB, SHEET_OPEN, SHEET_CLOSE),
      }),
    ]);
    const reads = vi.spyOn(GuardedZip.prototype, 'read');
    const error = await appErrorOf(() => readTabular(file, { maxUncompressedBytes: 64 * MB }));
    expect(error).toMatchObject({ code: 'import.file_rejected', details: { entry: shared, limit: 64 * MB } });
    expect(error.message).toMatch(/inflate to more than 64 MB/);
    const sharedReads = reads.mock.calls.filter(([name]) => name === shared).length;
    expect(sharedReads).toBeGreaterThan(60);
    expect(sharedReads).toBeLessThan(70);
  });
});

describe('sheets', () => {
  it('refuses a workbook declaring more sheets than the limit', async () => {
    const sheets = Array.from({ length: 11 }, (_, i) => ({ name: `S${i}`, part: SHEET }));
    const file = await xlsx('many-sheets.xlsx', [
      ...xlsxEntries(sheets, { [SHEET]: sheetXml([['email'], ['a@example.com']]) }),
    ]);
    const error = await appErrorOf(() => readTabular(file, { maxSheets: 10 }));
    expect(error).toMatchObject({ code: 'import.file_rejected', details: { limit: 10, actual: 11 } });
    expect(error.message).toMatch(/more sheets/);
    await expect(readTabular(file, { maxSheets: 11 })).resolves.toBeTruthy();
  });
});

describe('rows and shared strings', () => {
  it('refuses a workbook row whose cells together pass the row limit (4 cells’ worth)', async () => {
    const long = 'x'.repeat(900);
    const file = await xlsx('long-row.xlsx', [
      ...xlsxEntries(
        [{ name: 'Users', part: SHEET }],
        {
          // One shared string used by five cells: 4,500 characters in a row of a 1,000-character cell limit.
          [SHEET]: `${SHEET_OPEN}${HEADER_ROW}<row r="2">${'<c t="s"><v>0</v></c>'.repeat(5)}</row>${SHEET_CLOSE}`,
        },
        `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${long}</t></si></sst>`,
      ),
    ]);
    const error = await appErrorOf(() => readTabular(file, { maxCellChars: 1000 }));
    expect(error).toMatchObject({
      code: 'import.cell_too_large',
      details: { what: 'row', rowNumber: 2, limit: 4000, actual: 4500 },
    });
    expect(error.message).toMatch(/remove the columns/);
    const { rows } = await readTabular(file, { maxCellChars: 1000 * 2 });
    expect(rows[0]!.cells).toHaveLength(5);
  });

  it('refuses a shared string table holding more than the limit, counting each string’s overhead', async () => {
    const strings = Array.from({ length: 100 }, (_, i) => `<si><t>s${i}</t></si>`).join('');
    const file = await xlsx('strings.xlsx', [
      ...xlsxEntries(
        [{ name: 'Users', part: SHEET }],
        { [SHEET]: `${SHEET_OPEN}${HEADER_ROW}<row r="2"><c t="s"><v>1</v></c></row>${SHEET_CLOSE}` },
        `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings}</sst>`,
      ),
    ]);
    // 100 strings of 2-3 characters, each counting 16 more: about 1,900.
    const error = await appErrorOf(() => readTabular(file, { maxSharedStringChars: 1000 }));
    expect(error).toMatchObject({
      code: 'import.file_rejected',
      details: { entry: 'xl/sharedStrings.xml', limit: 1000 },
    });
    const { rows } = await readTabular(file, { maxSharedStringChars: 2000 });
    expect(cellsOf(rows)).toEqual([['s1']]);
  });
});

describe('ODS in one pass', () => {
  const table = (name: string, rows: string[][], style = '') =>
    `<table:table table:name="${name}"${style}>${rows
      .map(
        (cells) =>
          `<table:table-row>${cells.map((c) => `<table:table-cell office:value-type="string"><text:p>${c}</text:p></table:table-cell>`).join('')}</table:table-row>`,
      )
      .join('')}</table:table>`;

  it('reads content.xml once for 900 empty tables before the data, and names every table', async () => {
    const empty = Array.from({ length: 900 }, (_, i) => table(`E${i}`, [])).join('');
    const body = `${empty}${table('Users', [['email'], ['a@example.com']])}${table('After', [['x']])}`;
    await writeZip(fixtures.file('tables.ods'), odsEntries(body));
    const reads = vi.spyOn(GuardedZip.prototype, 'read');
    const started = performance.now();
    const { source, rows } = await readTabular(fixtures.file('tables.ods'));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(reads.mock.calls.filter(([name]) => name === 'content.xml')).toHaveLength(1);
    expect(cellsOf(rows)).toEqual([['a@example.com']]);
    expect(source.sheet).toMatchObject({ name: 'Users', index: 900 });
    expect(source.sheet!.sheetNames).toHaveLength(902);
    expect(source.sheet!.sheetNames.at(-1)).toBe('After');
  });

  it('refuses 20,000 empty tables (48 KB of ODS) at the sheet limit, in one pass', async () => {
    const body = Array.from({ length: 20_000 }, (_, i) => `<table:table table:name="T${i}"/>`).join('');
    await writeZip(fixtures.file('20k.ods'), odsEntries(body));
    const started = performance.now();
    const error = await appErrorOf(() => readTabular(fixtures.file('20k.ods')));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error).toMatchObject({ code: 'import.file_rejected', details: { limit: 1000, actual: 1001 } });
  });

  it('takes the first visible table with data, and a hidden one only when no visible one has any', async () => {
    const styles =
      '<office:automatic-styles><style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles>';
    const withStyles = (body: string) =>
      odsEntries(body).map((entry) =>
        entry.name === 'content.xml'
          ? {
              ...entry,
              data: String(entry.data)
                .replace(
                  'xmlns:calcext=',
                  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:calcext=',
                )
                .replace('<office:body>', `${styles}<office:body>`),
            }
          : entry,
      );
    const hidden = table('Hidden', [['email'], ['h@example.com']], ' table:style-name="ta2"');
    await writeZip(
      fixtures.file('hidden-first.ods'),
      withStyles(`${hidden}${table('Visible', [['email'], ['v@example.com']])}`),
    );
    const visible = await readTabular(fixtures.file('hidden-first.ods'));
    expect(visible.source.sheet).toMatchObject({ name: 'Visible', index: 1 });
    expect(cellsOf(visible.rows)).toEqual([['v@example.com']]);

    await writeZip(fixtures.file('hidden-only.ods'), withStyles(`${table('Empty', [])}${hidden}`));
    const fallback = await readTabular(fixtures.file('hidden-only.ods'));
    expect(fallback.source.sheet).toEqual({
      name: 'Hidden',
      index: 1,
      sheetNames: ['Empty', 'Hidden'],
      otherSheetsWithData: [],
    });
    expect(cellsOf(fallback.rows)).toEqual([['h@example.com']]);
  });

  it('refuses an ODS row whose cells together pass the row limit', async () => {
    const long = 'y'.repeat(900);
    const body = `<table:table table:name="T"><table:table-row><table:table-cell office:value-type="string"><text:p>email</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="5" office:value-type="string"><text:p>${long}</text:p></table:table-cell></table:table-row></table:table>`;
    await writeZip(fixtures.file('long-row.ods'), odsEntries(body));
    const error = await appErrorOf(() => readTabular(fixtures.file('long-row.ods'), { maxCellChars: 1000 }));
    expect(error).toMatchObject({
      code: 'import.cell_too_large',
      details: { what: 'row', rowNumber: 2, limit: 4000 },
    });
  });
});
