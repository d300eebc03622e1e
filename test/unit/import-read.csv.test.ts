import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDelimiter } from '../../src/core/import/read/csv.js';
import { openTabularFile } from '../../src/core/import/read/index.js';
import { isHintRow } from '../../src/core/import/read/rows.js';
import { cellsOf, type Fixtures, makeFixtures, readAll, readTabular } from './import-read.fixtures.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterAll(() => fixtures.cleanup());

const utf16be = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf16le');
  return bytes.swap16();
};

describe('CSV reading', () => {
  it('keeps quoted commas, quotes, line breaks and leading zeros, with CRLF records', async () => {
    const file = await fixtures.csv(
      'quoted.csv',
      [
        ['email', 'name', 'note', 'employee_number'],
        ['ann@example.com', 'Ann, Jr.', 'said "hi"', '00042'],
        ['bob@example.com', 'Bob', 'line one\nline two', '007'],
        ['cy@example.com', 'Cy\r\nCo', '1e5', '2024-01-05'],
      ],
      // Excel quotes a cell with a line break (Alt+Enter) and ends records with CRLF.
      { record_delimiter: 'windows', quoted_match: /\n/ },
    );
    const { source, rows } = await readTabular(file, { fileName: 'quoted.csv' });
    expect(source).toMatchObject({ format: 'csv', encoding: 'utf-8', byteOrderMark: false, delimiter: ',' });
    expect(source.header).toEqual(['email', 'name', 'note', 'employee_number']);
    expect(source.headerRowNumber).toBe(1);
    expect(rows).toEqual([
      { rowNumber: 2, cells: ['ann@example.com', 'Ann, Jr.', 'said "hi"', '00042'] },
      // A record with a quoted line break is one row, as Excel shows it.
      { rowNumber: 3, cells: ['bob@example.com', 'Bob', 'line one\nline two', '007'] },
      { rowNumber: 4, cells: ['cy@example.com', 'Cy\r\nCo', '1e5', '2024-01-05'] },
    ]);
  });

  it('reads UTF-8 with a byte order mark and a semicolon delimiter', async () => {
    const text = 'email;Vorname;Betrag\r\njürgen@example.de;Jürgen;1,5\r\nzoë@example.de;Zoë;2,75\r\n';
    const file = await fixtures.bytes(
      'bom.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    );
    const { source, rows } = await readTabular(file);
    expect(source).toMatchObject({ encoding: 'utf-8', byteOrderMark: true, delimiter: ';' });
    expect(source.header).toEqual(['email', 'Vorname', 'Betrag']);
    expect(cellsOf(rows)).toEqual([
      ['jürgen@example.de', 'Jürgen', '1,5'],
      ['zoë@example.de', 'Zoë', '2,75'],
    ]);
  });

  it('reads a semicolon file written by csv-stringify', async () => {
    const file = await fixtures.csv(
      'semicolon.csv',
      [
        ['email', 'groups'],
        ['a@example.com', 'Sales, North'],
        ['b@example.com', 'x;y'],
      ],
      { delimiter: ';' },
    );
    const { source, rows } = await readTabular(file);
    expect(source.delimiter).toBe(';');
    expect(cellsOf(rows)).toEqual([
      ['a@example.com', 'Sales, North'],
      ['b@example.com', 'x;y'],
    ]);
  });

  it.each([
    ['tab', '\t', 'people.tsv'],
    ['pipe', '|', 'people.txt'],
  ] as const)('detects a %s delimiter', async (_name, delimiter, fileName) => {
    const file = await fixtures.csv(
      fileName,
      [
        ['email', 'first name', 'last name'],
        ['a@example.com', 'Ann', 'Lee, PhD'],
        ['b@example.com', 'Bob', 'Ng'],
      ],
      { delimiter },
    );
    const { source, rows } = await readTabular(file, { fileName });
    expect(source.delimiter).toBe(delimiter);
    expect(source.header).toEqual(['email', 'first name', 'last name']);
    expect(cellsOf(rows)[0]).toEqual(['a@example.com', 'Ann', 'Lee, PhD']);
  });

  it.each([
    [
      'UTF-16 LE',
      'utf-16le',
      (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    ],
    ['UTF-16 BE', 'utf-16be', (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])],
  ] as const)('reads %s with a byte order mark', async (_name, encoding, encode) => {
    const file = await fixtures.bytes(
      `${encoding}.csv`,
      encode('email\tname\r\nmei@example.cn\t李梅\r\nö@example.com\tÖzil 😀\r\n'),
    );
    const { source, rows } = await readTabular(file);
    expect(source).toMatchObject({ encoding, byteOrderMark: true, delimiter: '\t' });
    expect(cellsOf(rows)).toEqual([
      ['mei@example.cn', '李梅'],
      ['ö@example.com', 'Özil 😀'],
    ]);
  });

  it('reads Windows-1252 bytes (é, ü, €)', async () => {
    // "email;name;price" / "rene@example.fr;René Müller;€5" with é = E9, ü = FC, € = 80.
    const bytes = Buffer.concat([
      Buffer.from('email;name;price\r\nrene@example.fr;Ren'),
      Buffer.from([0xe9]),
      Buffer.from(' M'),
      Buffer.from([0xfc]),
      Buffer.from('ller;'),
      Buffer.from([0x80]),
      Buffer.from('5\r\n'),
    ]);
    const { source, rows } = await readTabular(await fixtures.bytes('cp1252.csv', bytes));
    expect(source).toMatchObject({ encoding: 'windows-1252', delimiter: ';' });
    expect(cellsOf(rows)).toEqual([['rene@example.fr', 'René Müller', '€5']]);
  });

  it('decides the encoding on the whole file, not on its first kilobytes', async () => {
    const asciiRows = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com,User ${i}\n`).join('');
    const bytes = Buffer.concat([
      Buffer.from(`email,name\n${asciiRows}last@example.com,Jos`),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    const { source, rows } = await readTabular(await fixtures.bytes('late-cp1252.csv', bytes));
    expect(source.encoding).toBe('windows-1252');
    expect(rows.at(-1)?.cells).toEqual(['last@example.com', 'José']);
  });

  it('skips blank rows but counts them, trims trailing empty columns and pads short rows', async () => {
    const text =
      '\r\nemail,name,,\r\na@example.com,Ann,,\r\n,,,\r\n   \r\nb@example.com\r\nc@example.com,Cy,,extra\r\n';
    const { source, rows } = await readTabular(await fixtures.bytes('blank.csv', text));
    expect(source.header).toEqual(['email', 'name']);
    expect(source.headerRowNumber).toBe(2);
    expect(rows).toEqual([
      { rowNumber: 3, cells: ['a@example.com', 'Ann'] },
      { rowNumber: 6, cells: ['b@example.com', ''] },
      // A value beyond the header is kept for the mapping step to report.
      { rowNumber: 7, cells: ['c@example.com', 'Cy', '', 'extra'] },
    ]);
  });

  it("skips the template's hint row and is not fooled by the pipes in it", async () => {
    const file = await fixtures.csv('template.csv', [
      ['email', 'first_name', 'user_type', 'roles'],
      ['Required', 'Optional', 'Optional: Standard | Privileged', 'Optional: one or more, separated by |'],
      ['a@example.com', 'Ann', 'Standard', 'Manager'],
    ]);
    const { source, rows } = await readTabular(file);
    expect(source.delimiter).toBe(',');
    expect(source.hintRowSkipped).toBe(true);
    expect(rows).toEqual([{ rowNumber: 3, cells: ['a@example.com', 'Ann', 'Standard', 'Manager'] }]);
  });

  it('keeps a data row that merely contains the word Optional', async () => {
    const file = await fixtures.csv('not-hint.csv', [
      ['email', 'newsletter', 'name'],
      ['a@example.com', 'Optional', 'Ann'],
    ]);
    const { source, rows } = await readTabular(file);
    expect(source.hintRowSkipped).toBe(false);
    expect(cellsOf(rows)).toEqual([['a@example.com', 'Optional', 'Ann']]);
  });

  it('reads a file without a final line break and a classic Mac (CR) file', async () => {
    const lf = await readTabular(await fixtures.bytes('no-final-newline.csv', 'a,b\n1,2'));
    expect(cellsOf(lf.rows)).toEqual([['1', '2']]);
    const cr = await readTabular(await fixtures.bytes('mac.csv', 'a;b\r1;2\r3;4\r'));
    expect(cellsOf(cr.rows)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('refuses a header-only file like an empty one, with or without the template hint row', async () => {
    for (const [name, text] of [
      ['header-only.csv', 'email,name\r\n'],
      ['header-blank-lines.csv', 'email,name\r\n,\r\n\r\n'],
    ] as const) {
      await expect(openTabularFile(await fixtures.bytes(name, text))).rejects.toMatchObject({
        code: 'import.file_empty',
        status: 422,
        details: { reason: 'no_data_rows' },
        message: expect.stringMatching(/header row but no data rows/),
      });
    }
  });

  it('streams: rows can be read once, and closing early releases the file', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `u${i}@example.com,${i}`).join('\n');
    const source = await openTabularFile(await fixtures.bytes('many.csv', `email,n\n${lines}\n`));
    let seen = 0;
    for await (const row of source.rows()) {
      seen++;
      if (row.rowNumber === 101) break;
    }
    expect(seen).toBe(100);
    await source.close();
    await expect(readAll(source)).rejects.toThrow(/only once/);
  });
});

describe('delimiter and hint detection', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b;c\n1;2,5;3\n', ';'],
    ['name;amount\nJohn;1,5\nJane;2,5\n', ';'],
    ['a\tb\n"x\ty"\tz\n', '\t'],
    ['a|b\n1|2\n', '|'],
    ['"a,1";b\n"c,2";d\n', ';'],
    ['email\nx@example.com\n', ','],
  ] as const)('detects the delimiter of %j as %j', (sample, expected) => {
    expect(detectDelimiter(sample, { sampleIsWholeFile: true, preferTab: false })).toBe(expected);
  });

  it('prefers tab for a single-column .tsv', () => {
    expect(detectDelimiter('email\nx@example.com\n', { sampleIsWholeFile: true, preferTab: true })).toBe(
      '\t',
    );
  });

  it.each([
    [['Required', 'Optional', 'Optional: Standard | Privileged'], true],
    [['required', '', 'optional (yyyy-mm-dd)'], true],
    [['a@example.com', 'Optional', 'Ann'], false],
    [['Required', 'x', 'y'], false],
    [['', '', ''], false],
  ] as const)('%j is a hint row: %s', (cells, expected) => {
    expect(isHintRow(cells, 3)).toBe(expected);
  });
});
