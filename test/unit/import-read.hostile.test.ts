import { randomBytes } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTabularFile } from '../../src/core/import/read/index.js';
import {
  appErrorOf,
  type Fixtures,
  makeFixtures,
  odsEntries,
  patchDeclaredSize,
  readAll,
  readTabular,
  repeatedBytes,
  rewriteZip,
} from './import-read.fixtures.js';

let fixtures: Fixtures;
/** A real workbook written by ExcelJS, which the hostile variants start from. */
let workbook: string;
beforeAll(async () => {
  fixtures = await makeFixtures();
  workbook = await fixtures.xlsx('base.xlsx', (book) => {
    const sheet = book.addWorksheet('Users');
    sheet.addRow(['email', 'name']);
    sheet.addRow(['a@example.com', 'Ann']);
  });
});
afterAll(() => fixtures.cleanup());

const MB = 1024 * 1024;
const SHEET = 'xl/worksheets/sheet1.xml';

async function peakHeapGrowth(
  operation: () => Promise<unknown>,
): Promise<{ outcome: unknown; growth: number }> {
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

describe('zip bombs', () => {
  // One sheet part of 600 MB of `<row/>`, deflated while streamed (the test never holds it):
  // over the 512 MB ceiling whatever the file size, and ~130× the budget of this ~3 MB file.
  let bomb: string;
  beforeAll(async () => {
    bomb = await rewriteZip(workbook, fixtures.file('bomb.xlsx'), (name) =>
      name === SHEET
        ? repeatedBytes(
            '<row/>',
            600 * MB,
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
            '</sheetData></worksheet>',
          )
        : undefined,
    );
  }, 60_000);

  it('refuses a part whose declared size is enormous, before inflating it', async () => {
    const { outcome, growth } = await peakHeapGrowth(() => readTabular(bomb, { fileName: 'bomb.xlsx' }));
    expect(outcome).toMatchObject({ code: 'import.file_rejected', details: { entry: SHEET } });
    expect((outcome as Error).message).toMatch(/zip bomb/);
    expect(growth).toBeLessThan(100 * MB);
  });

  it('counts inflated bytes and stops a part that inflates past what its header declared', async () => {
    const liar = fixtures.file('liar.xlsx');
    await copyFile(bomb, liar);
    // Within budget and with an ordinary ratio on paper; the real content is 600 MB.
    await patchDeclaredSize(liar, SHEET, 40 * MB);
    const { outcome, growth } = await peakHeapGrowth(() => readTabular(liar));
    expect(outcome).toMatchObject({ code: 'import.file_rejected', details: { declaredBytes: 40 * MB } });
    expect((outcome as Error).message).toMatch(/more data than its zip header declares/);
    expect(growth).toBeLessThan(100 * MB);
  });

  it('refuses a part that claims an absurd compression ratio', async () => {
    const claims = fixtures.file('ratio.xlsx');
    await copyFile(workbook, claims);
    await patchDeclaredSize(claims, SHEET, 60 * MB);
    await expect(readTabular(claims)).rejects.toMatchObject({
      code: 'import.file_rejected',
      message: expect.stringMatching(/compression ratio/),
    });
  });

  it('honours a smaller configured budget', async () => {
    await expect(readTabular(workbook, { maxUncompressedBytes: 1000 })).rejects.toMatchObject({
      code: 'import.file_rejected',
      details: { limit: 1000 },
    });
  });
});

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from(
    { length: 9 },
    (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
  ).join('') +
  ']>';

describe('XML attacks', () => {
  it.each([
    [
      'xl/sharedStrings.xml',
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>',
    ],
    [
      SHEET,
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>',
    ],
    [
      'xl/workbook.xml',
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
    ],
  ])('refuses entity declarations in %s without expanding them', async (part, body) => {
    const file = await rewriteZip(
      workbook,
      fixtures.file(`laughs-${part.replace(/\W/g, '_')}.xlsx`),
      (name) => (name === part ? BILLION_LAUGHS + body : undefined),
    );
    const { outcome, growth } = await peakHeapGrowth(() => readTabular(file));
    expect(outcome).toMatchObject({ code: 'import.file_rejected', details: { entry: part } });
    expect((outcome as Error).message).toMatch(/DOCTYPE/);
    expect(growth).toBeLessThan(50 * MB);
  });

  it('refuses a DOCTYPE in an ODS content.xml', async () => {
    const [mimetype, manifest, content] = odsEntries('<table:table table:name="S"/>');
    const file = await fixtures.zip('laughs.ods', [
      mimetype!,
      manifest!,
      { name: 'content.xml', data: BILLION_LAUGHS + String(content!.data).replace(/^<\?xml[^>]*>/, '') },
    ]);
    await expect(readTabular(file)).rejects.toMatchObject({ code: 'import.file_rejected' });
  });

  it('does not resolve an entity that was never declared', async () => {
    const file = await rewriteZip(workbook, fixtures.file('undeclared.xlsx'), (name) =>
      name === 'xl/sharedStrings.xml'
        ? '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si><si><t>x</t></si></sst>'
        : undefined,
    );
    await expect(readTabular(file)).rejects.toMatchObject({ code: 'import.file_unreadable' });
  });

  it('refuses a text node larger than any cell may be, while it streams', async () => {
    const file = await rewriteZip(workbook, fixtures.file('giant-text.xlsx'), (name) =>
      name === 'xl/sharedStrings.xml'
        ? repeatedBytes(
            randomBytes(MB).toString('base64'),
            10 * MB,
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>',
            '</t></si></sst>',
          )
        : undefined,
    );
    const { outcome, growth } = await peakHeapGrowth(() => readTabular(file, { maxCellChars: 100_000 }));
    expect(outcome).toMatchObject({ code: 'import.cell_too_large' });
    expect(growth).toBeLessThan(50 * MB);
  });
});

describe('files that are not spreadsheets', () => {
  it('refuses random bytes named .xlsx as unreadable, saying what was expected', async () => {
    const file = await fixtures.bytes('random.xlsx', randomBytes(64 * 1024));
    const error = await appErrorOf(() => openTabularFile(file, { fileName: 'Users.xlsx' }));
    expect(error).toMatchObject({ code: 'import.file_unreadable', status: 422 });
    expect(error.message).toMatch(/Excel workbook \(\.xlsx\)/);
    expect(error.message).toMatch(/not a zip archive/);
  });

  it('refuses a damaged zip', async () => {
    const bytes = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(4096)]);
    const file = await fixtures.bytes('damaged.xlsx', bytes);
    const error = await appErrorOf(() => openTabularFile(file, { fileName: 'x.xlsx' }));
    expect(error).toMatchObject({ code: 'import.file_unreadable' });
    expect(error.message).toMatch(/damaged/);
  });

  it('refuses a truncated workbook', async () => {
    const whole = await readFile(workbook);
    const file = await fixtures.bytes('truncated.xlsx', whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(openTabularFile(file)).rejects.toMatchObject({ code: 'import.file_unreadable' });
  });

  it.each([
    ['a PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1'), /PDF/],
    [
      'an image',
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(512)]),
      /image/,
    ],
    [
      'an old .xls',
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), randomBytes(512)]),
      /97–2003/,
    ],
  ])('refuses %s', async (_name, bytes, message) => {
    const error = await appErrorOf(async () =>
      openTabularFile(await fixtures.bytes('not-a-sheet.csv', bytes)),
    );
    expect(error).toMatchObject({ code: 'import.file_unreadable' });
    expect(error.message).toMatch(message);
  });

  it('refuses an HTML table saved with an .xls name', async () => {
    const file = await fixtures.bytes(
      'report.xls',
      '<html><body><table><tr><td>email</td></tr></table></body></html>',
    );
    await expect(openTabularFile(file, { fileName: 'report.xls' })).rejects.toMatchObject({
      code: 'import.file_unreadable',
      message: expect.stringMatching(/XML or HTML/),
    });
  });

  it('refuses a zip that holds no spreadsheet', async () => {
    const file = await fixtures.zip('photos.xlsx', [{ name: 'readme.txt', data: 'hello' }]);
    await expect(openTabularFile(file)).rejects.toMatchObject({
      code: 'import.file_unreadable',
      message: expect.stringMatching(/no spreadsheet inside/),
    });
  });

  it('refuses an empty file', async () => {
    const error = await appErrorOf(async () => openTabularFile(await fixtures.bytes('empty.csv', '')));
    expect(error).toMatchObject({ code: 'import.file_empty', details: { reason: 'no_bytes' } });
  });

  it.each([
    ['only blank lines', 'blank.csv', async () => fixtures.bytes('blank.csv', '\r\n  \r\n,,,\r\n')],
    [
      'only empty sheets',
      'empty.xlsx',
      async () => fixtures.xlsx('empty.xlsx', (book) => void book.addWorksheet('A').addRow([])),
    ],
    ['only empty sheets', 'empty.ods', async () => fixtures.ods('empty.ods', [{ name: 'A', rows: [] }])],
  ])('refuses a file with %s (%s)', async (_name, _file, make) => {
    await expect(openTabularFile(await make())).rejects.toMatchObject({
      code: 'import.file_empty',
      details: { reason: 'no_rows' },
    });
  });
});

describe('cancellation', () => {
  it('refuses to start with an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(openTabularFile(workbook, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it.each(['csv', 'xlsx'])('stops reading %s rows at once when aborted', async (format) => {
    const count = 5000;
    const file =
      format === 'csv'
        ? await fixtures.bytes(
            'abort.csv',
            `email\n${Array.from({ length: count }, (_, i) => `u${i}@example.com`).join('\n')}\n`,
          )
        : await fixtures.xlsx('abort.xlsx', (book) => {
            const sheet = book.addWorksheet('Users');
            sheet.addRow(['email']);
            for (let i = 0; i < count; i++) sheet.addRow([`u${i}@example.com`]);
          });
    const controller = new AbortController();
    const source = await openTabularFile(file, { signal: controller.signal });
    let seen = 0;
    const outcome = await (async () => {
      for await (const _ of source.rows()) {
        seen++;
        if (seen === 10) controller.abort();
      }
    })().catch((error: unknown) => error);
    expect(outcome).toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(10);
    await expect(readAll(source)).rejects.toThrow(/only once/);
  });
});
