/**
 * Hostile and oversized files through the import API: each is refused with a clear 4xx error and
 * leaves the database exactly as it was. And cells that a spreadsheet would run as formulas: they
 * import as plain text, and the result files never hand them back as formulas.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { expectUnchanged } from '../support/db-snapshot.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient, loadXlsx, parseCsv } from '../support/imports.js';
import {
  type Fixtures,
  makeFixtures,
  patchDeclaredSize,
  repeatedBytes,
  rewriteZip,
} from '../unit/import-read.fixtures.js';

let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;
let fixtures: Fixtures;
/** A real workbook written by ExcelJS, which the hostile variants start from. */
let workbook: string;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
  fixtures = await makeFixtures();
  workbook = await fixtures.xlsx('base.xlsx', (book) => {
    const sheet = book.addWorksheet('Users');
    sheet.addRow(['Email', 'First name']);
    sheet.addRow(['base@acme.example', 'Base']);
  });
});
afterAll(async () => {
  await api.close();
  await fixtures.cleanup();
});

const MB = 1024 * 1024;
const SHEET = 'xl/worksheets/sheet1.xml';
const SHEET_OPEN = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_CLOSE = '</sheetData></worksheet>';

async function patchSettings(patch: Record<string, number>) {
  const res = await admin.token({ method: 'PATCH', url: '/api/v1/settings', payload: patch });
  expect(res.statusCode, res.body).toBe(200);
}

/**
 * Uploads a file that must be refused: a 4xx JSON error `{code, message, details}` with the
 * expected `import.*` code, and not one row of the database changed (no import, no user, no audit).
 */
async function expectRefused(
  content: Buffer | string,
  name: string,
  expected: { status: number; code: string; message: RegExp; details?: object },
) {
  const usersBefore = await client.userCount();
  const res = await expectUnchanged(
    api.db.ctx.db,
    () => client.upload(content, name),
    `the database after refusing ${name}`,
  );
  expect(res.statusCode, res.body).toBe(expected.status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'message']);
  expect(body.code).toBe(expected.code);
  expect(body.message).toMatch(expected.message);
  expect(body.details).toBeTypeOf('object');
  if (expected.details) expect(body.details).toMatchObject(expected.details);
  expect(await client.userCount()).toBe(usersBefore);
  const history = (await admin.token({ method: 'GET', url: '/api/v1/imports' })).json();
  expect(history.items.filter((i: { file: { name: string } }) => i.file.name === name)).toEqual([]);
  return body;
}

describe(`hostile files through the import API on ${process.env.ROSTER_TEST_DB}`, () => {
  it('refuses a zip bomb before inflating it', async () => {
    // 100 MB of `<row/>` deflated to ~100 KB: a ratio no real sheet has.
    const bomb = await rewriteZip(workbook, fixtures.file('bomb.xlsx'), (name) =>
      name === SHEET ? repeatedBytes('<row/>', 100 * MB, SHEET_OPEN, SHEET_CLOSE) : undefined,
    );
    const bytes = await readFile(bomb);
    expect(bytes.length).toBeLessThan(MB);
    await expectRefused(bytes, 'bomb.xlsx', {
      status: 422,
      code: 'import.file_rejected',
      message: /zip bomb/,
      details: { entry: SHEET },
    });
  });

  it('refuses a zip bomb whose header lies about its size, while it inflates', async () => {
    const liar = await rewriteZip(workbook, fixtures.file('liar.xlsx'), (name) =>
      name === SHEET ? repeatedBytes('<row/>', 100 * MB, SHEET_OPEN, SHEET_CLOSE) : undefined,
    );
    // An ordinary size and ratio on paper; the real content is 100 MB.
    await patchDeclaredSize(liar, SHEET, MB);
    await expectRefused(await readFile(liar), 'liar.xlsx', {
      status: 422,
      code: 'import.file_rejected',
      message: /more data than its zip header declares/,
      details: { entry: SHEET, declaredBytes: MB },
    });
  });

  it('refuses an XLSX whose XML declares entities (billion laughs) without expanding them', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('') +
      ']>';
    const file = await rewriteZip(workbook, fixtures.file('laughs.xlsx'), (name) =>
      name === 'xl/sharedStrings.xml'
        ? `${laughs}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>`
        : undefined,
    );
    await expectRefused(await readFile(file), 'laughs.xlsx', {
      status: 422,
      code: 'import.file_rejected',
      message: /DOCTYPE/,
      details: { entry: 'xl/sharedStrings.xml' },
    });
  });

  it('refuses random bytes named .xlsx, saying what was expected', async () => {
    await expectRefused(randomBytes(64 * 1024), 'random.xlsx', {
      status: 422,
      code: 'import.file_unreadable',
      message: /Excel workbook \(\.xlsx\).*not a zip archive/,
    });
  });

  it('refuses an empty file', async () => {
    await expectRefused(Buffer.alloc(0), 'empty.csv', {
      status: 422,
      code: 'import.file_empty',
      message: /empty/,
      details: { reason: 'no_bytes' },
    });
  });

  it('refuses a CSV with nothing but blank lines', async () => {
    await expectRefused(stringify([[], ['', ''], ['  ']], { record_delimiter: 'windows' }), 'blank.csv', {
      status: 422,
      code: 'import.file_empty',
      message: /no rows with data/,
      details: { reason: 'no_rows' },
    });
  });

  it('refuses a file with a header and no data rows like an empty one: CSV, and a template with only its hint row', async () => {
    await expectRefused(stringify([['Email', 'First name', 'Last name']]), 'header-only.csv', {
      status: 422,
      code: 'import.file_empty',
      message: /header row but no data rows/,
      details: { reason: 'no_data_rows' },
    });
    for (const format of ['csv', 'xlsx']) {
      const template = await client.download(`/api/v1/import-targets/users/template?format=${format}`);
      await expectRefused(template, `untouched-template.${format}`, {
        status: 422,
        code: 'import.file_empty',
        message: /hint row does not count/,
        details: { reason: 'no_data_rows' },
      });
    }
  });

  describe('with lowered limits', () => {
    afterAll(() => patchSettings({ importMaxFileBytes: 20 * MB, importMaxRows: 100_000 }));

    it('refuses a file over the configured size, naming the limit in words an admin reads', async () => {
      await patchSettings({ importMaxFileBytes: 4096 });
      const rows = Array.from({ length: 200 }, (_, i) => [`big${i}@acme.example`, 'Big', 'File']);
      const file = stringify([['Email', 'First name', 'Last name'], ...rows]);
      expect(file.length).toBeGreaterThan(4096);
      await expectRefused(file, 'too-big.csv', {
        status: 413,
        code: 'import.file_too_large',
        message: /limit of 4\.0 KB\./,
        details: { limitBytes: 4096 },
      });
      // A file within the limit is accepted.
      const small = await client.upload(stringify([['Email'], ['small@acme.example']]), 'small.csv');
      expect(small.statusCode, small.body).toBe(201);
      await patchSettings({ importMaxFileBytes: 20 * MB });
    });

    it('refuses more data rows than the configured limit, and stages none of them', async () => {
      await patchSettings({ importMaxRows: 3 });
      const file = stringify([
        ['Email', 'First name'],
        ['rows1@acme.example', 'One'],
        [],
        ['rows2@acme.example', 'Two'],
        ['rows3@acme.example', 'Three'],
        ['rows4@acme.example', 'Four'],
      ]);
      await expectRefused(file, 'too-many-rows.csv', {
        status: 422,
        code: 'import.too_many_rows',
        message: /more than 3 data rows \(row 6 is data row 4\)/,
        details: { limit: 3, rowNumber: 6 },
      });
      // As many rows as the limit are accepted.
      const ok = await client.upload(
        stringify([['Email'], ['rows1@acme.example'], ['rows2@acme.example'], ['rows3@acme.example']]),
        'three-rows.csv',
      );
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json().rows.total).toBe(3);
    });
  });

  it('refuses a CSV whose only line is longer than a row may be (a file without line breaks)', async () => {
    // The reader's default limits (1,000,000 characters a cell, 4× that a record): a few MB is enough.
    const line = `Email${`,${'x'.repeat(900_000)}`.repeat(5)}`;
    await expectRefused(line, 'one-line.csv', {
      status: 422,
      code: 'import.cell_too_large',
      message: /row 1\) is longer than 4,000,000 characters.*line breaks/,
      details: { what: 'row', rowNumber: 1 },
    });
  });

  it('refuses a CSV line that is one cell longer than a cell may be, naming its row and column', async () => {
    const line = `Email,${'x'.repeat(4_500_000)}`;
    await expectRefused(line, 'one-cell-line.csv', {
      status: 422,
      code: 'import.cell_too_large',
      message: /A cell in row 1, column 2 is longer than 1,000,000 characters/,
      details: { what: 'cell', rowNumber: 1, column: 2 },
    });
  });

  it('refuses a CSV cell longer than the cell limit, naming its row and column', async () => {
    const file = stringify([
      ['Email', 'Display name'],
      ['long@acme.example', 'y'.repeat(1_200_000)],
    ]);
    await expectRefused(file, 'long-cell.csv', {
      status: 422,
      code: 'import.cell_too_large',
      message: /A cell in row 2, column 2 is longer than 1,000,000 characters/,
      details: { what: 'cell', rowNumber: 2, column: 2 },
    });
  });
});

describe(`formula injection in result files on ${process.env.ROSTER_TEST_DB}`, () => {
  const HEADER = ['Email', 'First name', 'Last name', 'Display name', 'Access level', 'Employee number'];
  // Valid rows: cells that start with = + - @, a tab or a carriage return are plain text data.
  const VALID = [
    ['f1@acme.example', '=HYPERLINK("http://x","y")', '+1+1', '\t=1+2 tabbed', '@SUM(A1)', '-42'],
    ['f2@acme.example', '\r=cmd|/C calc!A0', '-minus', '=1+1', '+plus', '@at'],
  ];
  // Invalid rows (bad emails) with the same kind of cells: they end up in the failure file.
  const INVALID = [
    ['f3-at-acme.example', '=HYPERLINK("http://evil","click")', '+1+1', '-5', '@SUM(A1)', '\t=2'],
    ['=1+1', '@me', '=cell', '\r-7', '-8', '+9'],
  ];
  const FORMULA_START = /^[=+\-@\t\r]/;
  let id: number;

  it('imports such cells as text', async () => {
    const file = stringify([HEADER, ...VALID, ...INVALID]);
    const res = await client.upload(file, 'formulas.csv');
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    expect(res.json().rows).toEqual({ total: 4, valid: 2, invalid: 2 });
    const rows = await client.rows(id);
    expect(rows.map((r) => r.cells)).toEqual([...VALID, ...INVALID]);
    expect(rows.slice(2).map((r) => r.problems.map((p) => p.code))).toEqual([
      ['email.invalid'],
      ['email.invalid'],
    ]);
    const done = await client.commit(id);
    expect(done.counts).toMatchObject({ created: 2, failed: 2 });
    expect(await client.user('f1@acme.example')).toMatchObject({
      firstName: '=HYPERLINK("http://x","y")',
      lastName: '+1+1',
      displayName: '=1+2 tabbed',
      accessLevel: '@SUM(A1)',
      employeeNumber: '-42',
    });
    expect(await client.user('f2@acme.example')).toMatchObject({
      firstName: '=cmd|/C calc!A0',
      lastName: '-minus',
      displayName: '=1+1',
      accessLevel: '+plus',
      employeeNumber: '@at',
    });
  });

  /** What the CSV must hold for a cell: a leading apostrophe before anything a spreadsheet would run. */
  const neutral = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);

  it('writes them with a leading apostrophe in the CSV success and failure files', async () => {
    const success = parseCsv(await client.download(`/api/v1/imports/${id}/files/success?format=csv`));
    const failure = parseCsv(await client.download(`/api/v1/imports/${id}/files/failure?format=csv`));
    for (const cell of [...success, ...failure].flat()) expect(cell).not.toMatch(FORMULA_START);
    expect(success[0]).toEqual([...HEADER, 'row', 'user_id', 'result', 'stored as', 'changes']);
    expect(success.slice(1).map((r) => r.slice(0, HEADER.length))).toEqual(VALID.map((r) => r.map(neutral)));
    expect(success[1]![1]).toBe(`'=HYPERLINK("http://x","y")`);
    expect(success[1]![3]).toBe(`'\t=1+2 tabbed`);
    expect(success[2]![1]).toBe(`'\r=cmd|/C calc!A0`);
    expect(failure[0]).toEqual([...HEADER, 'row', 'error']);
    expect(failure.slice(1).map((r) => r.slice(0, HEADER.length))).toEqual(
      INVALID.map((r) => r.map(neutral)),
    );
    expect(failure[2]![0]).toBe("'=1+1");
  });

  it('writes them as string cells, never formulas, in the XLSX success and failure files', async () => {
    for (const kind of ['success', 'failure'] as const) {
      const book = await loadXlsx(await client.download(`/api/v1/imports/${id}/files/${kind}?format=xlsx`));
      const sheet = book.worksheets[0]!;
      const values: string[][] = [];
      sheet.eachRow((row) => {
        const line: string[] = [];
        row.eachCell({ includeEmpty: false }, (cell) => {
          expect(cell.type, `${kind} ${cell.address}`).toBe(ExcelJS.ValueType.String);
          expect(cell.formula, `${kind} ${cell.address}`).toBeUndefined();
          expect(cell.value).toBeTypeOf('string');
          line[Number(cell.col) - 1] = cell.value as string;
        });
        values.push(line);
      });
      const expected = kind === 'success' ? VALID : INVALID;
      expect(values).toHaveLength(expected.length + 1);
      // XML reads a carriage return as a line feed; everything else comes back as written.
      const asXml = (cell: string) => cell.replace(/\r/g, '\n');
      expect(values.slice(1).map((r) => r.slice(0, HEADER.length))).toEqual(
        expected.map((r) => r.map(asXml)),
      );
    }
  });

  it('takes the CSV failure file back as is: it maps completely and reads the original values', async () => {
    const failure = await client.download(`/api/v1/imports/${id}/files/failure?format=csv`);
    const res = await client.upload(failure, 'formulas-failure.csv');
    expect(res.statusCode, res.body).toBe(201);
    const again = res.json();
    expect(again.mapping).toMatchObject({
      unknownColumns: ['row', 'error'],
      missingRequired: [],
      complete: true,
    });
    expect(again.mapping.columns.slice(0, HEADER.length).map((c: { match: string }) => c.match)).toEqual(
      HEADER.map(() => 'exact'),
    );
    expect(again.rows).toEqual({ total: 2, valid: 0, invalid: 2 });
    const rows = await client.rows(again.id);
    // Only the emails are wrong: the apostrophes do not make any other cell invalid.
    expect(rows.map((r) => r.problems.map((p) => [p.column, p.code]))).toEqual([
      [['Email', 'email.invalid']],
      [['Email', 'email.invalid']],
    ]);
    for (const [row, email] of [
      [rows[0]!.row, 'f3@acme.example'],
      [rows[1]!.row, 'f4@acme.example'],
    ] as const) {
      const fix = await admin.token({
        method: 'PATCH',
        url: `/api/v1/imports/${again.id}/rows/${row}`,
        payload: { cells: { Email: email } },
      });
      expect(fix.statusCode, fix.body).toBe(200);
    }
    const done = await client.commit(again.id);
    expect(done.counts).toMatchObject({ created: 2, failed: 0 });
    // The apostrophe is taken off on the way in: the users hold the values of the first file.
    expect(await client.user('f3@acme.example')).toMatchObject({
      firstName: '=HYPERLINK("http://evil","click")',
      lastName: '+1+1',
      displayName: '-5',
      accessLevel: '@SUM(A1)',
      employeeNumber: '=2',
    });
    expect(await client.user('f4@acme.example')).toMatchObject({
      firstName: '@me',
      lastName: '=cell',
      displayName: '-7',
      accessLevel: '-8',
      employeeNumber: '+9',
    });
  });
});
