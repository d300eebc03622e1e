/**
 * Real files through the whole import API: upload → read, map, validate, stage → review the rows →
 * commit → the import, the users and the result files. Every fixture is written here by a real
 * writer (csv-stringify, ExcelJS, SheetJS), never by hand-typed CSV strings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { createAttribute } from '../../src/app/attributes.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import {
  type ImportClient,
  importClient,
  loadXlsx,
  parseCsv,
  type StagedRowJson,
} from '../support/imports.js';

let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;
let dir: string;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
  await createAttribute(api.db.ctx, SYSTEM_ACTOR, { key: 'start_date', label: 'Start date', type: 'date' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-import-files-'));
});
afterAll(async () => {
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Windows-1252 bytes for text in that code page (Latin-1 plus the 0x80–0x9F letters used here). */
const CP1252_HIGH: Record<string, number> = { '€': 0x80, Š: 0x8a, Œ: 0x8c, '’': 0x92, œ: 0x9c, Ÿ: 0x9f };
function windows1252(text: string): Buffer {
  return Buffer.from(
    [...text].map((char) => {
      const high = CP1252_HIGH[char];
      if (high !== undefined) return high;
      const code = char.codePointAt(0)!;
      if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
      throw new Error(`${char} is not in Windows-1252`);
    }),
  );
}

/** An XLSX written by ExcelJS's (streaming) workbook writer, with shared strings as Excel writes them. */
async function xlsxFile(
  name: string,
  build: (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => void,
): Promise<Buffer> {
  const filename = path.join(dir, name);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename,
    useSharedStrings: true,
    useStyles: true,
  });
  build(workbook);
  await workbook.commit();
  return fs.readFileSync(filename);
}

const cellsOf = (rows: StagedRowJson[]) => rows.map((r) => [r.row, r.cells]);

async function uploaded(content: string | Buffer, name: string, options: object = {}) {
  const res = await client.upload(content, name, options);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe(`import files through the API on ${process.env.ROSTER_TEST_DB}`, () => {
  describe('CSV', () => {
    it('reads UTF-8 with a byte order mark: the BOM is not part of the first header', async () => {
      const file = stringify(
        [
          ['Email', 'First name', 'Last name'],
          ['zoe@acme.example', 'Zoë', 'Ångström'],
          ['kenji@acme.example', 'Kenji', '山田'],
        ],
        { bom: true },
      );
      const view = await uploaded(file, 'utf8-bom.csv');
      expect(view.status).toBe('validated');
      expect(view.file.format).toBe('csv');
      expect(view.file.meta).toMatchObject({ encoding: 'utf-8', delimiter: ',', headerRow: 1 });
      expect(view.header).toEqual(['Email', 'First name', 'Last name']);
      expect(view.mapping.columns[0]).toMatchObject({ header: 'Email', field: 'email', match: 'exact' });
      expect(cellsOf(await client.rows(view.id))).toEqual([
        [2, ['zoe@acme.example', 'Zoë', 'Ångström']],
        [3, ['kenji@acme.example', 'Kenji', '山田']],
      ]);
      expect((await client.commit(view.id)).counts).toMatchObject({ created: 2, failed: 0 });
      expect(await client.user('zoe@acme.example')).toMatchObject({ firstName: 'Zoë', lastName: 'Ångström' });
      expect(await client.user('kenji@acme.example')).toMatchObject({ lastName: '山田' });
    });

    it('reads a semicolon-delimited file, commas inside cells being plain text', async () => {
      const file = stringify(
        [
          ['Email', 'First name', 'Last name', 'Display name', 'Access level'],
          ['semi@acme.example', 'Sem', 'Colon', 'Colon, Sem', 'Read, write'],
          ['semi2@acme.example', 'Sam', 'Colon', '', 'Read'],
        ],
        { delimiter: ';' },
      );
      const view = await uploaded(file, 'semicolon.csv');
      expect(view.file.meta).toMatchObject({ delimiter: ';', encoding: 'utf-8' });
      expect(view.header).toHaveLength(5);
      expect(view.mapping.complete).toBe(true);
      expect(cellsOf(await client.rows(view.id))).toEqual([
        [2, ['semi@acme.example', 'Sem', 'Colon', 'Colon, Sem', 'Read, write']],
        [3, ['semi2@acme.example', 'Sam', 'Colon', '', 'Read']],
      ]);
      await client.commit(view.id);
      expect(await client.user('semi@acme.example')).toMatchObject({
        displayName: 'Colon, Sem',
        accessLevel: 'Read, write',
      });
    });

    it('reads UTF-16 LE with a byte order mark (Excel’s "Unicode text", tab-delimited)', async () => {
      const text = stringify(
        [
          ['Email', 'First name', 'Last name', 'Employee number'],
          ['utf16a@acme.example', 'Łucja', 'Øvergård', '007'],
          ['utf16b@acme.example', 'Ōta', '李', '008'],
        ],
        { delimiter: '\t', record_delimiter: 'windows', quote_record_delimiter: true },
      );
      const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      const view = await uploaded(bytes, 'unicode.txt');
      expect(view.file.meta).toMatchObject({ encoding: 'utf-16le', delimiter: '\t' });
      expect(view.mapping.complete).toBe(true);
      expect(cellsOf(await client.rows(view.id))).toEqual([
        [2, ['utf16a@acme.example', 'Łucja', 'Øvergård', '007']],
        [3, ['utf16b@acme.example', 'Ōta', '李', '008']],
      ]);
      await client.commit(view.id);
      expect(await client.user('utf16a@acme.example')).toMatchObject({
        firstName: 'Łucja',
        lastName: 'Øvergård',
        employeeNumber: '007',
      });
    });

    it('reads Windows-1252 (é, ü, € …) when the file is not UTF-8', async () => {
      const text = stringify(
        [
          ['Email', 'First name', 'Last name', 'Display name', 'Access level'],
          ['renee@acme.example', 'Renée', 'Müller', 'Renée Müller - €uro', 'Coûts €'],
          ['francois@acme.example', 'François', 'Œuvre’s', '', ''],
        ],
        { delimiter: ';', record_delimiter: 'windows' },
      );
      const view = await uploaded(windows1252(text), 'ansi.csv');
      expect(view.file.meta).toMatchObject({ encoding: 'windows-1252', delimiter: ';' });
      expect(cellsOf(await client.rows(view.id))).toEqual([
        [2, ['renee@acme.example', 'Renée', 'Müller', 'Renée Müller - €uro', 'Coûts €']],
        [3, ['francois@acme.example', 'François', 'Œuvre’s', '', '']],
      ]);
      await client.commit(view.id);
      expect(await client.user('renee@acme.example')).toMatchObject({
        firstName: 'Renée',
        lastName: 'Müller',
        displayName: 'Renée Müller - €uro',
        accessLevel: 'Coûts €',
      });
      expect(await client.user('francois@acme.example')).toMatchObject({ lastName: 'Œuvre’s' });
    });

    it('keeps quoted line breaks, commas and quotes inside cells, with CRLF between records', async () => {
      const file = stringify(
        [
          ['Email', 'First name', 'Last name', 'Display name', 'Access level'],
          [
            'quote1@acme.example',
            'Quinn',
            'Archer, Jr.',
            'Quinn "Q" Archer\nSecond line',
            'Level 1, floor 2',
          ],
          ['quote2@acme.example', 'Quincy', 'Baker', 'Quincy\r\nBaker', 'Portal'],
          ['quote3@acme.example', 'Q', 'Cole', 'Q\nCole', ''],
          ['quote4-at-acme.example', 'Bad', 'Email\nAddress', '', ''],
        ],
        { record_delimiter: 'windows', quote_record_delimiter: true },
      );
      expect(file).toContain('\r\n');
      const view = await uploaded(file, 'quoted.csv');
      expect(view.header).toEqual(['Email', 'First name', 'Last name', 'Display name', 'Access level']);
      expect(view.rows).toEqual({ total: 4, valid: 3, invalid: 1 });
      const rows = await client.rows(view.id);
      // A record with quoted line breaks is one row, as in Excel: rows are numbered by record.
      expect(cellsOf(rows)).toEqual([
        [
          2,
          [
            'quote1@acme.example',
            'Quinn',
            'Archer, Jr.',
            'Quinn "Q" Archer\nSecond line',
            'Level 1, floor 2',
          ],
        ],
        [3, ['quote2@acme.example', 'Quincy', 'Baker', 'Quincy\r\nBaker', 'Portal']],
        [4, ['quote3@acme.example', 'Q', 'Cole', 'Q\nCole', '']],
        [5, ['quote4-at-acme.example', 'Bad', 'Email\nAddress', '', '']],
      ]);
      expect(rows[3]!.problems[0]).toMatchObject({ row: 5, code: 'email.invalid', column: 'Email' });
      await client.commit(view.id);
      expect(await client.user('quote1@acme.example')).toMatchObject({
        lastName: 'Archer, Jr.',
        displayName: 'Quinn "Q" Archer\nSecond line',
        accessLevel: 'Level 1, floor 2',
      });
      // Line breaks are stored as LF whatever the file used: XLSX cannot carry a CR, a round trip must not change them.
      expect(await client.user('quote2@acme.example')).toMatchObject({ displayName: 'Quincy\nBaker' });
      expect(await client.user('quote3@acme.example')).toMatchObject({ displayName: 'Q\nCole' });

      // The failure file quotes what needs quoting: read back, it holds the same cells.
      const failureFile = await client.download(`/api/v1/imports/${view.id}/files/failure?format=csv`);
      const failure = parseCsv(failureFile);
      expect(failure).toHaveLength(2);
      expect(failure[1]!.slice(0, 5)).toEqual(['quote4-at-acme.example', 'Bad', 'Email\nAddress', '', '']);
      const again = await uploaded(failureFile, 'quoted-failure.csv');
      expect(again.rows).toEqual({ total: 1, valid: 0, invalid: 1 });
      expect(cellsOf(await client.rows(again.id))).toEqual([
        [
          2,
          [
            'quote4-at-acme.example',
            'Bad',
            'Email\nAddress',
            '',
            '',
            expect.stringMatching(/^\d+$/),
            expect.stringMatching(/not a valid email/),
          ],
        ],
      ]);
      const success = parseCsv(await client.download(`/api/v1/imports/${view.id}/files/success?format=csv`));
      expect(success.map((r) => r.slice(0, 5))).toEqual([
        ['Email', 'First name', 'Last name', 'Display name', 'Access level'],
        ['quote1@acme.example', 'Quinn', 'Archer, Jr.', 'Quinn "Q" Archer\nSecond line', 'Level 1, floor 2'],
        ['quote2@acme.example', 'Quincy', 'Baker', 'Quincy\r\nBaker', 'Portal'],
        ['quote3@acme.example', 'Q', 'Cole', 'Q\nCole', ''],
      ]);
    });

    it("skips blank rows and still reports problems by the file's own row numbers", async () => {
      const file = stringify(
        [
          ['Email', 'First name', 'Last name'],
          ['blank1@acme.example', 'Bea', 'Ash'],
          [],
          ['', '', ''],
          ['not-an-email', 'Ben', 'Bad'],
          ['  ', '', ' '],
          ['blank2@acme.example', 'Bo', 'Cole'],
          ['BLANK1@acme.example', 'Bea', 'Again'],
        ],
        { record_delimiter: 'windows' },
      );
      const view = await uploaded(file, 'blank-rows.csv');
      expect(view.rows).toEqual({ total: 4, valid: 2, invalid: 2 });
      const rows = await client.rows(view.id);
      expect(rows.map((r) => r.row)).toEqual([2, 5, 7, 8]);
      const invalid = await client.rows(view.id, '&filter=invalid');
      expect(invalid.map((r) => [r.row, r.problems.map((p) => [p.row, p.code])])).toEqual([
        [5, [[5, 'email.invalid']]],
        [8, [[8, 'row.duplicate']]],
      ]);
      expect(invalid[1]!.problems[0]!.message).toMatch(/row 2\b/);
      const failure = parseCsv(await client.download(`/api/v1/imports/${view.id}/files/failure?format=csv`));
      expect(failure.slice(1).map((r) => r[0])).toEqual(['not-an-email', 'BLANK1@acme.example']);
    });

    it('ignores trailing empty columns, in the header and in the rows', async () => {
      const file = stringify(
        [
          ['Email', 'First name', 'Last name', '', '', ''],
          ['trail1@acme.example', 'Tia', 'Tail', '', '', ''],
          ['trail2@acme.example', 'Tom', 'Tail', '', '', '', '', ''],
          ['trail3@acme.example', 'Ted', ''],
        ],
        { record_delimiter: 'windows' },
      );
      const view = await uploaded(file, 'trailing.csv');
      expect(view.header).toEqual(['Email', 'First name', 'Last name']);
      expect(view.mapping).toMatchObject({ unknownColumns: [], missingRequired: [], complete: true });
      expect(view.rows).toEqual({ total: 3, valid: 3, invalid: 0 });
      expect(cellsOf(await client.rows(view.id))).toEqual([
        [2, ['trail1@acme.example', 'Tia', 'Tail']],
        [3, ['trail2@acme.example', 'Tom', 'Tail']],
        [4, ['trail3@acme.example', 'Ted', '']],
      ]);
    });
  });

  describe('XLSX', () => {
    it('keeps text with leading zeros, reads date cells and serial numbers as ISO dates, and formulas by their value', async () => {
      const file = await xlsxFile('values.xlsx', (workbook) => {
        const sheet = workbook.addWorksheet('Users');
        sheet
          .addRow(['Email', 'First name', 'Last name', 'Display name', 'Employee number', 'Start date'])
          .commit();
        const first = sheet.addRow([
          'xa@acme.example',
          'Xena',
          'Archer',
          { formula: 'B2&" "&C2', result: 'Xena Archer' },
          '000123',
          new Date(Date.UTC(2024, 2, 15)),
        ]);
        first.getCell(6).numFmt = 'dd/mm/yyyy';
        first.commit();
        sheet
          .addRow([
            'xb@acme.example',
            'Xavier',
            'Baker',
            'X. Baker',
            { formula: '100+23', result: 123 },
            45292,
          ])
          .commit();
      });
      const view = await uploaded(file, 'values.xlsx');
      expect(view.file.format).toBe('xlsx');
      expect(view.file.meta.sheet).toEqual({
        name: 'Users',
        index: 0,
        sheetNames: ['Users'],
        otherSheetsWithData: [],
      });
      expect(view.mapping.columns[5]).toMatchObject({ header: 'Start date', field: 'attr.start_date' });
      expect(view.rows).toEqual({ total: 2, valid: 2, invalid: 0 });
      expect(cellsOf(await client.rows(view.id))).toEqual([
        [2, ['xa@acme.example', 'Xena', 'Archer', 'Xena Archer', '000123', '2024-03-15']],
        // A serial number without a date format stays a number until the date field reads it.
        [3, ['xb@acme.example', 'Xavier', 'Baker', 'X. Baker', '123', '45292']],
      ]);
      await client.commit(view.id);
      expect(await client.user('xa@acme.example')).toMatchObject({
        displayName: 'Xena Archer',
        employeeNumber: '000123',
        attributes: { start_date: '2024-03-15' },
      });
      expect(await client.user('xb@acme.example')).toMatchObject({
        employeeNumber: '123',
        attributes: { start_date: '2024-01-01' },
      });
    });

    it('takes the rows from the second sheet when the first is empty, and says which sheet', async () => {
      const file = await xlsxFile('second-sheet.xlsx', (workbook) => {
        workbook.addWorksheet('Notes').commit();
        const sheet = workbook.addWorksheet('People');
        sheet.addRow(['Email', 'First name']).commit();
        sheet.addRow(['sheet2@acme.example', 'Second']).commit();
      });
      const view = await uploaded(file, 'second-sheet.xlsx');
      expect(view.file.meta.sheet).toEqual({
        name: 'People',
        index: 1,
        sheetNames: ['Notes', 'People'],
        otherSheetsWithData: [],
      });
      expect(cellsOf(await client.rows(view.id))).toEqual([[2, ['sheet2@acme.example', 'Second']]]);
    });

    it('maps the downloaded template by itself and skips its hint row', async () => {
      const template = await client.download('/api/v1/import-targets/users/template?format=xlsx');
      const workbook = await loadXlsx(template);
      const sheet = workbook.worksheets[0]!;
      const headers = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
      expect(headers).toContain('Start date');
      expect(String(sheet.getRow(2).getCell(1).value)).toMatch(/^Required/);
      const put = (values: Record<string, string>) => sheet.addRow(headers.map((h) => values[h] ?? ''));
      put({
        Email: 'tmpl1@acme.example',
        'First name': 'Tam',
        'Last name': 'Plate',
        Roles: 'Manager; Engineer',
        Site: 'North',
        'User type': 'Privileged',
        'Employee number': '0077',
        Status: 'active',
        'Start date': '2024-02-29',
      });
      put({ Email: 'tmpl2@acme.example', 'First name': 'Tim', Groups: 'Field' });
      expect(sheet.rowCount).toBe(4);
      const filled = Buffer.from(await workbook.xlsx.writeBuffer());

      const view = await uploaded(filled, 'users-template.xlsx');
      expect(view.status).toBe('validated');
      expect(view.header).toEqual(headers);
      expect(view.mapping.unknownColumns).toEqual([]);
      expect(view.mapping.complete).toBe(true);
      for (const column of view.mapping.columns) expect(column).toMatchObject({ match: 'exact' });
      expect(view.file.meta).toMatchObject({ headerRow: 1, hintRowSkipped: true });
      expect(view.rows).toEqual({ total: 2, valid: 2, invalid: 0 });
      expect((await client.rows(view.id)).map((r) => r.row)).toEqual([3, 4]);

      expect((await client.commit(view.id)).counts).toMatchObject({ created: 2, failed: 0 });
      const tam = await client.user('tmpl1@acme.example');
      expect(tam).toMatchObject({
        firstName: 'Tam',
        lastName: 'Plate',
        site: { name: 'North' },
        userType: 'Privileged',
        employeeNumber: '0077',
        status: 'active',
        attributes: { start_date: '2024-02-29' },
      });
      expect(tam!.roles.map((r) => r.name).sort()).toEqual(['Engineer', 'Manager']);
      expect((await client.user('tmpl2@acme.example'))!.groups.map((g) => g.name)).toEqual(['Field']);
    });
  });

  describe('ODS', () => {
    it('reads a file written by SheetJS: text keeps its zeros, dates become ISO, blank rows are skipped', async () => {
      const workbook = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(
        workbook,
        XLSX.utils.aoa_to_sheet(
          [
            ['Email', 'First name', 'Last name', 'Employee number', 'Start date', 'User type'],
            [
              'ods1@acme.example',
              'Olga',
              'Østergaard',
              '00042',
              new Date(Date.UTC(2023, 10, 30)),
              'Privileged',
            ],
            [],
            ['ods2@acme.example', 'Otto', 'Ode', 7, null, 'standard'],
          ],
          { cellDates: true },
        ),
        'Staff',
      );
      // SheetJS's write() returns `any`; with type 'buffer' it is a Buffer.
      const file = XLSX.write(workbook, { bookType: 'ods', type: 'buffer', compression: true }) as Buffer;
      const view = await uploaded(file, 'staff.ods');
      expect(view.file.format).toBe('ods');
      expect(view.file.meta.sheet).toMatchObject({ name: 'Staff', index: 0 });
      expect(view.rows).toEqual({ total: 2, valid: 2, invalid: 0 });
      expect(cellsOf(await client.rows(view.id))).toEqual([
        [2, ['ods1@acme.example', 'Olga', 'Østergaard', '00042', '2023-11-30', 'Privileged']],
        [4, ['ods2@acme.example', 'Otto', 'Ode', '7', '', 'standard']],
      ]);
      await client.commit(view.id);
      expect(await client.user('ods1@acme.example')).toMatchObject({
        lastName: 'Østergaard',
        employeeNumber: '00042',
        userType: 'Privileged',
        attributes: { start_date: '2023-11-30' },
      });
      expect(await client.user('ods2@acme.example')).toMatchObject({
        employeeNumber: '7',
        userType: 'Standard',
      });
    });
  });

  describe('downloads', () => {
    it('sends a file named in Japanese with an ASCII fallback and its exact name as filename*', async () => {
      const name = 'ユーザー一覧.csv';
      const view = await uploaded(
        stringify([
          ['Email', 'First name', 'Last name'],
          ['kanji@acme.example', '太郎', '山田'],
          ['not an email', 'X', 'Y'],
        ]),
        name,
      );
      const get = (url: string) => admin.token({ method: 'GET', url });
      const original = await get(`/api/v1/imports/${view.id}/files/original`);
      expect(original.statusCode).toBe(200);
      const encoded = encodeURIComponent(name);
      expect(original.headers['content-disposition']).toBe(
        `attachment; filename="______.csv"; filename*=UTF-8''${encoded}`,
      );
      expect(original.body).toContain('kanji@acme.example');
      const failure = await get(`/api/v1/imports/${view.id}/files/failure?format=csv`);
      expect(failure.statusCode).toBe(200);
      expect(failure.headers['content-disposition']).toContain(
        `filename*=UTF-8''${encodeURIComponent('ユーザー一覧-failure.csv')}`,
      );
      const template = await get('/api/v1/import-targets/users/template?format=xlsx');
      expect(template.headers['content-disposition']).toMatch(
        /^attachment; filename="[^"]+"; filename\*=UTF-8''/,
      );
    });
  });

  describe('CSV downloads and spreadsheet separators', () => {
    it('quotes cells holding ; or | in the failure file and in the template with the existing users', async () => {
      const view = await uploaded(
        stringify([
          ['Email', 'First name', 'Last name'],
          ['semicolon@acme.example', 'x;=1+1', 'a|=2+2'],
          ['not an email', 'y;=HYPERLINK("http://evil.example")', 'Plain'],
        ]),
        'separators.csv',
      );
      const failure = (
        await client.download(`/api/v1/imports/${view.id}/files/failure?format=csv`)
      ).toString();
      expect(failure).toContain('"y;=HYPERLINK(""http://evil.example"")"');
      expect(failure).not.toMatch(/(^|,)y;=/m);
      await client.commit(view.id);
      const success = (
        await client.download(`/api/v1/imports/${view.id}/files/success?format=csv`)
      ).toString();
      expect(success).toContain('"x;=1+1","a|=2+2"');
      const template = (
        await client.download('/api/v1/import-targets/users/template?format=csv&includeExisting=true')
      ).toString();
      expect(template).toContain('"x;=1+1","a|=2+2"');
      // Read back as a spreadsheet would, the cells are whole again.
      expect(parseCsv(Buffer.from(success)).find((r) => r[0] === 'semicolon@acme.example')).toEqual(
        expect.arrayContaining(['x;=1+1', 'a|=2+2']),
      );
    });
  });

  describe('template round trip', () => {
    /** Uploads an edited template in update mode: exactly one user changes, the rest are unchanged. */
    async function expectOneUpdate(
      file: Buffer,
      name: string,
      email: string,
      lastName: string,
      total: number,
    ) {
      const view = await uploaded(file, name, { mode: 'update' });
      expect(view.status).toBe('validated');
      expect(view.mapping.unknownColumns).toEqual([]);
      expect(view.file.meta).toMatchObject({ hintRowSkipped: true });
      expect(view.rows).toEqual({ total, valid: total, invalid: 0 });
      const done = await client.commit(view.id);
      expect(done.status).toBe('completed');
      expect(done.counts).toEqual({ created: 0, updated: 1, unchanged: total - 1, skipped: 0, failed: 0 });
      const rows = await client.rows(view.id);
      const changed = rows.filter((r) => r.result === 'updated');
      expect(changed).toHaveLength(1);
      expect(changed[0]!.cells[0]).toBe(email);
      expect(rows.filter((r) => r.result !== 'updated').every((r) => r.result === 'unchanged')).toBe(true);
      expect(await client.user(email)).toMatchObject({ lastName, importId: view.id });
    }

    it('CSV: the existing users, one last name changed, update exactly that user', async () => {
      const users = await client.userCount();
      expect(users).toBeGreaterThan(10);
      const template = await client.download(
        '/api/v1/import-targets/users/template?format=csv&includeExisting=true',
      );
      const records = parseCsv(template);
      expect(records).toHaveLength(users + 2);
      const header = records[0]!;
      const email = header.indexOf('Email');
      const last = header.indexOf('Last name');
      // Among them, users whose display name holds a line break: the template keeps it in its cell.
      const displayName = (address: string) =>
        records.find((r) => r[email] === address)?.[header.indexOf('Display name')];
      expect(displayName('quote1@acme.example')).toBe('Quinn "Q" Archer\nSecond line');
      expect(displayName('quote3@acme.example')).toBe('Q\nCole');
      expect(records.find((r) => r[email] === 'renee@acme.example')![last]).toBe('Müller');
      // Edited in place, as in a text editor: the rest of the file goes back exactly as it came.
      const text = template.toString('utf8');
      expect(text.split(',Müller,')).toHaveLength(2);
      const edited = text.replace(',Müller,', ',Müller-Lüdenscheidt,');
      await expectOneUpdate(
        Buffer.from(edited),
        'users-template.csv',
        'renee@acme.example',
        'Müller-Lüdenscheidt',
        users,
      );
    });

    it('XLSX: the existing users, one last name changed, update exactly that user', async () => {
      const users = await client.userCount();
      const template = await client.download(
        '/api/v1/import-targets/users/template?format=xlsx&includeExisting=true',
      );
      const workbook = await loadXlsx(template);
      const sheet = workbook.worksheets[0]!;
      expect(sheet.rowCount).toBe(users + 2);
      const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).map((v) => (v == null ? '' : String(v)));
      const email = header.indexOf('Email');
      const last = header.indexOf('Last name');
      let found = 0;
      sheet.eachRow((row) => {
        if (row.getCell(email).value === 'xa@acme.example') {
          row.getCell(last).value = 'Archer-Xu';
          found++;
        }
      });
      expect(found).toBe(1);
      const edited = Buffer.from(await workbook.xlsx.writeBuffer());
      await expectOneUpdate(edited, 'users-template.xlsx', 'xa@acme.example', 'Archer-Xu', users);
    });
  });

  describe('the same file twice', () => {
    let firstId: number;

    it('warns that an identical file was committed already, naming that import', async () => {
      const file = stringify([
        ['Email', 'First name', 'Last name'],
        ['twice@acme.example', 'Tess', 'Twice'],
      ]);
      const first = await uploaded(file, 'twice.csv');
      expect(first.duplicateOf).toBeNull();
      expect(first.warnings).toEqual([]);
      firstId = first.id;
      expect((await client.commit(firstId)).status).toBe('completed');

      const second = await uploaded(file, 'twice-again.csv');
      expect(second.id).not.toBe(firstId);
      expect(second.duplicateOf).toBe(firstId);
      expect(second.warnings).toHaveLength(1);
      expect(second.warnings[0]).toContain(`import ${firstId}`);
      expect((await client.view(second.id)).warnings[0]).toContain(`import ${firstId}`);
    });

    it('streams the progress of a committed import as server-sent events, then ends', async () => {
      const res = await admin.token({ method: 'GET', url: `/api/v1/imports/${firstId}/events` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const events = res.body
        .split('\n\n')
        .filter((block) => block.trim() !== '')
        .map((block) => {
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))!.slice('event: '.length);
          const data = JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice('data: '.length));
          return { event, data };
        });
      expect(events.map((e) => e.event)).toEqual(['progress', 'done']);
      expect(events[0]!.data).toMatchObject({ status: 'completed', progress: { done: 1, total: 1 } });
      expect(events[1]!.data).toMatchObject({ status: 'completed', counts: { created: 1 } });
    });
  });
});
