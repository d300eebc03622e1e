/**
 * The fidelity corpus (test/fixtures/fidelity) through the API: every file uploaded as a browser
 * sends it, its staged cells compared with what a person opening it sees, the rows read inexactly
 * carrying their problem in the review, and how it was read in the import's `file.meta`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttribute } from '../../src/app/attributes.js';
import { createCustomer, createSite } from '../../src/app/customers.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import type { FidelityCase } from '../fixtures/fidelity/generate.js';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { type ImportClient, importClient, loadXlsx } from '../support/imports.js';
import { multipart } from '../support/upload.js';

const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/fidelity');
const cases = JSON.parse(readFileSync(path.join(corpus, 'expected.json'), 'utf8')) as FidelityCase[];

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

function upload(c: FidelityCase) {
  const body = multipart(
    { target: 'users', options: JSON.stringify({ customerId: world.acme.id }), ...c.options },
    { name: c.file, content: readFileSync(path.join(corpus, c.file)) },
  );
  return admin.token({
    method: 'POST',
    url: '/api/v1/imports',
    payload: body.payload,
    headers: body.headers,
  });
}

describe('the fidelity corpus through POST /imports', () => {
  it.each(
    cases.filter((c) => !c.error).map((c) => [`${c.file} ${JSON.stringify(c.options ?? {})}`, c] as const),
  )('%s', async (_title, c) => {
    const res = await upload(c);
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json();
    expect(view.header).toEqual(c.header);
    const rows = await client.rows(view.id);
    expect(rows.map((r) => ({ row: r.row, cells: r.cells }))).toEqual(c.rows);
    const readProblems = rows.flatMap((r) =>
      r.problems
        .filter((p) => p.code.startsWith('read.'))
        .map((p) => ({ row: r.row, column: c.header!.indexOf(p.column ?? ''), code: p.code })),
    );
    expect(readProblems).toEqual(c.problems ?? []);
    const { sheet, otherSheetsWithData, ...meta } = c.meta ?? {};
    expect(view.file.meta).toMatchObject(meta);
    if (sheet !== undefined) expect(view.file.meta.sheet.name).toBe(sheet);
    if (otherSheetsWithData !== undefined)
      expect(view.file.meta.sheet.otherSheetsWithData).toEqual(otherSheetsWithData);
  });

  it.each(cases.filter((c) => c.error).map((c) => [c.file, c] as const))('refuses %s', async (_title, c) => {
    const res = await upload(c);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: c.error, details: c.meta ?? {} });
  });

  it('keeps a read problem through a re-check, and drops it once the cell is fixed', async () => {
    const c = cases.find((x) => x.file === 'utf8-one-bad-byte.csv')!;
    const view = (await upload(c)).json();
    const put = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/mapping`,
      payload: { columns: view.mapping.columns.map((m: { field: string | null }) => m.field) },
    });
    expect(put.statusCode, put.body).toBe(200);
    const before = (await client.rows(view.id)).find((r) => r.row === 32)!;
    expect(before.problems.map((p) => p.code)).toContain('read.invalid_bytes');
    const fix = await admin.token({
      method: 'PATCH',
      url: `/api/v1/imports/${view.id}/rows/32`,
      payload: { cells: { name: 'Björn' } },
    });
    expect(fix.statusCode, fix.body).toBe(200);
    const after = (await client.rows(view.id)).find((r) => r.row === 32)!;
    expect(after.problems.map((p) => p.code)).not.toContain('read.invalid_bytes');
  });

  it('refuses an encoding or delimiter it does not know, as field problems', async () => {
    const c = { ...cases[0]!, options: { encoding: 'ebcdic', delimiter: '#' } };
    const res = await upload(c);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.problems.map((p: { field: string }) => p.field)).toEqual([
      'encoding',
      'delimiter',
    ]);
  });
});

describe('dates day-first or month-first through POST /imports', () => {
  const csv = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
  const upload = (content: string, name: string, options: object = {}) =>
    client.upload(Buffer.from(content), name, options);
  const codes = async (id: number) =>
    (await client.rows(id)).map((r) => [r.row, r.problems.map((p) => p.code)] as const);

  beforeAll(async () => {
    await createAttribute(api.db.ctx, SYSTEM_ACTOR, { key: 'hired_on', label: 'Hired on', type: 'date' });
  });

  it('reads an ambiguous date by the order a later row of its column proves', async () => {
    const res = await upload(
      csv([
        'Email,First name,Last name,Hired on',
        'd1@acme.example,Di,One,03/04/2025',
        'd2@acme.example,Di,Two,15/02/2025',
      ]),
      'dates-dmy.csv',
    );
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json();
    expect(await codes(view.id)).toEqual([
      [2, []],
      [3, []],
    ]);
    expect(view.file.meta.dateOrders).toEqual([
      { column: 'Hired on', index: 3, order: 'DMY', how: 'values' },
    ]);
    await client.commit(view.id);
    expect((await client.user('d1@acme.example'))?.attributes).toMatchObject({ hired_on: '2025-04-03' });
  });

  it('refuses ambiguous dates nothing decides, until the order is chosen', async () => {
    const content = csv(['Email,First name,Last name,Hired on', 'd3@acme.example,Di,Three,03/04/2025']);
    const view = (await upload(content, 'dates-unknown.csv')).json();
    expect(await codes(view.id)).toEqual([[2, ['date.order_unknown']]]);
    const put = await admin.token({
      method: 'PUT',
      url: `/api/v1/imports/${view.id}/options`,
      payload: { dateOrder: 'MDY' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().options.dateOrder).toBe('MDY');
    expect(await codes(view.id)).toEqual([[2, []]]);
    expect(put.json().file.meta.dateOrders).toEqual([
      { column: 'Hired on', index: 3, order: 'MDY', how: 'chosen' },
    ]);
  });

  it('reads a semicolon file day-first when its values prove nothing', async () => {
    const view = (
      await upload(
        csv(['Email;First name;Last name;Hired on', 'd4@acme.example;Di;Four;03/04/2025']),
        'dates-semicolon.csv',
      )
    ).json();
    expect(await codes(view.id)).toEqual([[2, []]]);
    expect(view.file.meta.dateOrders).toEqual([
      { column: 'Hired on', index: 3, order: 'DMY', how: 'delimiter' },
    ]);
  });
});

describe('result files in the shape the file came in', () => {
  it('writes a semicolon file back with semicolons, the original row numbers, and what was stored otherwise', async () => {
    const content = [
      'Email;First name;Last name;User type;Hired on',
      'r1@acme.example;Rita;One;privileged;15/02/2025',
      '',
      'not-an-email;Rob;Two;Standard;01/03/2025',
      'r3@acme.example;Rae;Three;Standard;2025-03-01',
    ].join('\r\n');
    const view = (await client.upload(Buffer.from(`${content}\r\n`), 'shape.csv')).json();
    await client.commit(view.id);
    const success = (await client.download(`/api/v1/imports/${view.id}/files/success?format=csv`)).toString(
      'utf8',
    );
    const lines = success.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'Email;First name;Last name;User type;Hired on;row;user_id;result;stored as;changes',
    );
    expect(lines[1]).toMatch(
      /^r1@acme\.example;Rita;One;privileged;15\/02\/2025;2;\d+;created;"User type: ""privileged"" → Privileged \| Hired on: ""15\/02\/2025"" → 2025-02-15";$/,
    );
    expect(lines[2]).toMatch(/^r3@acme\.example;Rae;Three;Standard;2025-03-01;5;\d+;created;;$/);
    const failure = (await client.download(`/api/v1/imports/${view.id}/files/failure?format=csv`)).toString(
      'utf8',
    );
    const failed = failure.replace(/^\uFEFF/, '').split('\r\n');
    expect(failed[0]).toBe('Email;First name;Last name;User type;Hired on;row;error');
    expect(failed[1]).toMatch(/^not-an-email;Rob;Two;Standard;01\/03\/2025;4;/);
  });
});

describe('the XLSX template', () => {
  it('freezes its header, sizes its columns, formats text fields as text and lists allowed values', async () => {
    const workbook = await loadXlsx(
      await client.download('/api/v1/import-targets/users/template?format=xlsx'),
    );
    const sheet = workbook.worksheets[0]!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const column = (name: string) => header.indexOf(name) + 1;
    expect(column('Employee number')).toBeGreaterThan(0);
    expect(sheet.getColumn(column('Employee number')).width).toBeGreaterThanOrEqual(12);
    // Typed into the template, 00123 stays text: the column is formatted as text below the hints.
    expect(sheet.getCell(500, column('Employee number')).numFmt).toBe('@');
    expect(sheet.getCell(3, column('User type')).dataValidation).toMatchObject({
      type: 'list',
      formulae: ['"Standard,Privileged"'],
    });
  });

  const template = async (caller: Caller, query: string) =>
    loadXlsx(
      await importClient(caller, world.acme.id).download(
        `/api/v1/import-targets/users/template?format=xlsx${query}`,
      ),
    );
  const validationOf = (workbook: Awaited<ReturnType<typeof loadXlsx>>, header: string) => {
    const sheet = workbook.worksheets[0]!;
    const names = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    return sheet.getCell(3, names.indexOf(header) + 1).dataValidation;
  };

  it("lists the customer's sites and the active portal roles in drop-downs", async () => {
    const workbook = await template(admin, `&customerId=${world.acme.id}`);
    expect(validationOf(workbook, 'Site')).toMatchObject({
      type: 'list',
      formulae: ['"HQ,North"'],
      errorStyle: 'stop',
    });
    // Several roles may be typed (`Engineer; Manager`): the list is a suggestion, Excel only informs.
    expect(validationOf(workbook, 'Roles')).toMatchObject({
      type: 'list',
      formulae: ['"Engineer,Manager"'],
      errorStyle: 'information',
    });
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Portal users']);
    // Without a customer there are no sites to offer.
    expect(validationOf(await template(admin, ''), 'Site')).toBeUndefined();
  });

  it("gives a scoped admin their own customer's sites, whatever is asked", async () => {
    const scoped = await api.caller('user_admin', world.globex.id);
    const workbook = await template(scoped, `&customerId=${world.acme.id}`);
    expect(validationOf(workbook, 'Site')).toMatchObject({ formulae: ['"HQ"'] });
    const unknown = await admin.token({
      method: 'GET',
      url: '/api/v1/import-targets/users/template?format=xlsx&customerId=999999',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'customer.not_found' });
  });

  it('puts a list over 255 characters on a hidden sheet and points the drop-down at its range', async () => {
    const big = await createCustomer(api.db.ctx, SYSTEM_ACTOR, { name: 'Many Sites', externalId: 'M-1' });
    const names = Array.from({ length: 40 }, (_, i) => `Branch office ${String(i).padStart(2, '0')}`);
    for (const name of names) await createSite(api.db.ctx, SYSTEM_ACTOR, big.id, { name });
    const workbook = await template(admin, `&customerId=${big.id}`);
    expect(validationOf(workbook, 'Site')).toMatchObject({
      type: 'list',
      formulae: ["'Lists'!$A$1:$A$41"],
    });
    const lists = workbook.getWorksheet('Lists')!;
    expect(lists.state).toBe('hidden');
    const listed = Array.from({ length: 41 }, (_, i) => String(lists.getCell(i + 1, 1).value));
    expect(listed).toEqual([...names, 'HQ'].sort((a, b) => a.localeCompare(b)));
    expect(lists.getCell(42, 1).value).toBeNull();
    // The short list beside it stays inline.
    expect(validationOf(workbook, 'Roles')).toMatchObject({ formulae: ['"Engineer,Manager"'] });
  });
});
