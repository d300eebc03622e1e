/**
 * PUT /imports/{id}/source: an uploaded file read again with another encoding, delimiter or sheet,
 * through the API on both databases. Each override restages the rows and keeps the mapping of the
 * headers that are still there; a bad choice and a committed import change nothing.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient } from '../support/imports.js';

let api: TestApi;
let world: World;
let admin: Caller;
let client: ImportClient;

beforeAll(async () => {
  api = await startApi();
  world = await buildWorld(api.db.ctx);
  admin = await api.caller('administrator');
  client = importClient(admin, world.acme.id);
});
afterAll(async () => {
  await api.close();
});

const source = (id: number, payload: object) =>
  admin.token({ method: 'PUT', url: `/api/v1/imports/${id}/source`, payload });
const cellsOf = async (id: number) => (await client.rows(id)).map((r) => r.cells);
const fields = (view: { mapping: { columns: { field: string | null }[] } }) =>
  view.mapping.columns.map((c) => c.field);

/** Windows-1252 bytes: é is 0xE9 (Mac Roman reads it as È), ü 0xFC (Mac Roman: ¸). */
const latin1 = (text: string) => Buffer.from(text, 'latin1');

async function uploaded(content: Buffer, name: string) {
  const res = await client.upload(content, name);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** The import and its rows as the API shows them, to compare before and after a refusal. */
async function snapshot(id: number) {
  const view = await client.view(id);
  return { view, rows: await client.rows(id) };
}

describe('PUT /imports/{id}/source', () => {
  it('reads the file again in the encoding chosen, keeping the mapping of the headers still there', async () => {
    const view = await uploaded(
      latin1('Email,First name,Last name,Employee number\r\njose@src.example,José,Müller,00042\r\n'),
      'encoding.csv',
    );
    expect(view.file.meta.encoding).toBe('windows-1252');
    // The admin chose to leave Employee number out: a choice the new reading keeps.
    const columns = fields(view).map((f: string | null) => (f === 'employeeNumber' ? null : f));
    const mapped = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/mapping`,
      payload: { columns },
    });
    expect(mapped.statusCode, mapped.body).toBe(200);

    const res = await source(view.id, { encoding: 'macintosh' });
    expect(res.statusCode, res.body).toBe(200);
    const again = res.json();
    expect(again.id).toBe(view.id);
    expect(again.status).toBe('validated');
    expect(again.file.meta).toMatchObject({ encoding: 'macintosh', detected: { encoding: false } });
    expect(fields(again)).toEqual(columns);
    expect(await cellsOf(view.id)).toEqual([['jose@src.example', 'JosÈ', 'M¸ller', '00042']]);

    const back = await source(view.id, {});
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().file.meta).toMatchObject({ encoding: 'windows-1252', detected: { encoding: true } });
    expect(await cellsOf(view.id)).toEqual([['jose@src.example', 'José', 'Müller', '00042']]);
    // Committed as read the last time.
    await client.commit(view.id);
    expect(await client.user('jose@src.example')).toMatchObject({ firstName: 'José', lastName: 'Müller' });
  });

  it('splits at the delimiter chosen, and maps afresh the headers that changed', async () => {
    const view = await uploaded(
      Buffer.from('Email;First name;Last name\r\nann@src.example;Ann, Lee;Lee\r\n'),
      'delimiter.csv',
    );
    expect(view.header).toEqual(['Email', 'First name', 'Last name']);
    const comma = await source(view.id, { delimiter: ',' });
    expect(comma.statusCode, comma.body).toBe(200);
    expect(comma.json()).toMatchObject({
      header: ['Email;First name;Last name'],
      status: 'mapping_required',
      file: { meta: { delimiter: ',' } },
    });
    expect(await cellsOf(view.id)).toEqual([['ann@src.example;Ann', ' Lee;Lee']]);

    const semicolon = await source(view.id, { delimiter: 'semicolon' });
    expect(semicolon.statusCode, semicolon.body).toBe(200);
    expect(semicolon.json()).toMatchObject({
      header: ['Email', 'First name', 'Last name'],
      status: 'validated',
      file: { meta: { delimiter: ';' } },
    });
    expect(fields(semicolon.json())).toEqual(['email', 'firstName', 'lastName']);
    expect(await cellsOf(view.id)).toEqual([['ann@src.example', 'Ann, Lee', 'Lee']]);
  });

  it('reads the sheet chosen', async () => {
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('People');
    first.addRow(['Email', 'First name']);
    first.addRow(['pia@src.example', 'Pia']);
    const second = workbook.addWorksheet('Contractors');
    second.addRow(['Email', 'Last name']);
    second.addRow(['cy@src.example', 'Cole']);
    second.addRow(['di@src.example', 'Dunn']);
    const view = await uploaded(Buffer.from(await workbook.xlsx.writeBuffer()), 'sheets.xlsx');
    expect(view.file.meta.sheet).toMatchObject({ name: 'People', otherSheetsWithData: ['Contractors'] });

    const res = await source(view.id, { sheet: 'contractors' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      header: ['Email', 'Last name'],
      rows: { total: 2 },
      file: { meta: { sheet: { name: 'Contractors', otherSheetsWithData: ['People'] } } },
    });
    expect(fields(res.json())).toEqual(['email', 'lastName']);
    expect(await cellsOf(view.id)).toEqual([
      ['cy@src.example', 'Cole'],
      ['di@src.example', 'Dunn'],
    ]);
  });

  it('refuses a bad choice with a clear error, and changes nothing', async () => {
    const view = await uploaded(
      Buffer.from('Email,First name\r\nbad@src.example,Bea\r\n'),
      'bad-choices.csv',
    );
    const before = await snapshot(view.id);
    const bad: [object, number, string, string[]][] = [
      [{ encoding: 'ebcdic' }, 400, 'request.invalid', ['encoding']],
      [{ delimiter: '#', encoding: 'klingon' }, 400, 'request.invalid', ['encoding', 'delimiter']],
      [{ colour: 'red' }, 400, 'request.invalid', ['colour']],
      [{ sheet: 'People' }, 400, 'request.invalid', ['sheet']],
    ];
    for (const [payload, status, code, problemFields] of bad) {
      const res = await source(view.id, payload);
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(status);
      const error = res.json();
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(20);
      if (problemFields.length > 0)
        expect(error.details.problems.map((p: { field: string }) => p.field)).toEqual(problemFields);
      expect(await snapshot(view.id)).toEqual(before);
    }
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Only').addRow(['Email']);
    workbook.getWorksheet('Only')!.addRow(['wb@src.example']);
    const xlsx = await uploaded(Buffer.from(await workbook.xlsx.writeBuffer()), 'one-sheet.xlsx');
    const xlsxBefore = await snapshot(xlsx.id);
    const missing = await source(xlsx.id, { sheet: 'Nope' });
    expect(missing.statusCode, missing.body).toBe(422);
    expect(missing.json()).toMatchObject({ code: 'import.sheet_not_found' });
    expect(missing.json().message).toContain('Only');
    const delimiter = await source(xlsx.id, { delimiter: ';' });
    expect(delimiter.statusCode, delimiter.body).toBe(400);
    expect(delimiter.json().details.problems).toMatchObject([
      { field: 'delimiter', code: 'import.choice_not_applicable' },
    ]);
    expect(await snapshot(xlsx.id)).toEqual(xlsxBefore);
  });

  it('refuses once the import is committed, with a typed 409', async () => {
    const view = await uploaded(Buffer.from('Email,First name\r\ndone@src.example,Dee\r\n'), 'committed.csv');
    await client.commit(view.id);
    const before = await snapshot(view.id);
    const res = await source(view.id, { encoding: 'windows-1252' });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'import.already_committed' });
    expect(await snapshot(view.id)).toEqual(before);
  });

  it("answers not found for another customer's import", async () => {
    const view = await uploaded(Buffer.from('Email\r\nscope@src.example\r\n'), 'scope.csv');
    const other = await api.caller('user_admin', world.globex.id);
    const res = await other.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/source`,
      payload: { encoding: 'utf-8' },
    });
    expect(res.statusCode, res.body).toBe(404);
  });
});
