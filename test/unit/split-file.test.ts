import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repeatsAcrossParts, splitFile } from '../../src/cli/split-file.js';
import { cellsOf, type Fixtures, makeFixtures, readTabular } from './import-read.fixtures.js';

let fx: Fixtures;
beforeAll(async () => {
  fx = await makeFixtures();
});
afterAll(async () => {
  await fx.cleanup();
});

const HEADER = ['Email', 'First name', 'Employee number'];
const people = (n: number) =>
  Array.from({ length: n }, (_, i) => [
    `person${i + 1}@acme.example`,
    `Name, "${i + 1}"`,
    String(i + 1).padStart(6, '0'),
  ]);

/** Every part read back by the import's own reader: header and rows. */
async function readParts(files: readonly string[]) {
  const out: { header: string[]; rows: string[][] }[] = [];
  for (const file of files) {
    const { source, rows } = await readTabular(file);
    out.push({ header: source.header, rows: cellsOf(rows) });
  }
  return out;
}

describe('splitting a file into parts within the import limits', () => {
  it('cuts a CSV into parts of at most N rows, each with the header, that read back as the file', async () => {
    const rows = people(2500);
    const file = await fx.csv('people.csv', [HEADER, ...rows]);
    const outDir = fx.file('parts-rows');
    const parts = await splitFile(file, { maxRows: 1000, maxBytes: 20 * 1024 * 1024, outDir });

    expect(parts.map((p) => [path.basename(p.file), p.rows, p.firstRow, p.lastRow])).toEqual([
      ['people-part-001.csv', 1000, 2, 1001],
      ['people-part-002.csv', 1000, 1002, 2001],
      ['people-part-003.csv', 500, 2002, 2501],
    ]);
    for (const p of parts) {
      expect(fs.statSync(p.file).size).toBe(p.bytes);
      expect(fs.readFileSync(p.file, 'utf8').startsWith('\uFEFFEmail,First name,Employee number\r\n')).toBe(
        true,
      );
    }
    const read = await readParts(parts.map((p) => p.file));
    expect(read.every((r) => r.header.join() === HEADER.join())).toBe(true);
    // Quotes, commas and leading zeros come through unchanged.
    expect(read.flatMap((r) => r.rows)).toEqual(rows);
  });

  it('finds values repeated across parts as the import compares them, not those within one part', async () => {
    const rows = people(6);
    rows[1]![0] = 'person1@acme.example'; // within part 1: the server reports it
    rows[4]![0] = ' PERSON1@Acme.example '; // part 3 repeats part 1, in other case and spacing
    rows[5]![2] = '000003'; // part 3 repeats part 2's employee number
    const file = await fx.csv('repeats.csv', [HEADER, ...rows]);
    const parts = await splitFile(file, { maxRows: 2, maxBytes: 10_000, outDir: fx.file('parts-repeats') });
    const repeats = await repeatsAcrossParts(parts, [
      { index: 0, header: 'Email' },
      { index: 2, header: 'Employee number' },
    ]);
    expect(repeats).toEqual([
      { part: 3, row: 2, firstPart: 1, firstRow: 2, column: 'Email', value: 'PERSON1@Acme.example' },
      { part: 3, row: 3, firstPart: 2, firstRow: 2, column: 'Employee number', value: '000003' },
    ]);
  });

  it('keeps every part under the byte limit', async () => {
    const rows = people(300);
    const file = await fx.csv('bytes.csv', [HEADER, ...rows]);
    const parts = await splitFile(file, { maxRows: 100_000, maxBytes: 4000, outDir: fx.file('parts-bytes') });
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(p.bytes).toBeLessThanOrEqual(4000);
    expect((await readParts(parts.map((p) => p.file))).flatMap((r) => r.rows)).toEqual(rows);
  });

  it('reads a workbook as the import does: hint row left out, text as displayed, dates as ISO', async () => {
    const file = await fx.xlsx('template.xlsx', (wb) => {
      const ws = wb.addWorksheet('Users');
      ws.addRow(HEADER);
      ws.addRow(['Required', 'Optional', 'Optional']);
      ws.addRow(['a@acme.example', 'Ann', '000123']);
      ws.addRow(['b@acme.example', 'Ben', '000124']);
      ws.addRow(['c@acme.example', 'Cat', '000125']);
      ws.addRow(['Start', new Date(Date.UTC(2024, 2, 1)), '']);
    });
    const parts = await splitFile(file, { maxRows: 2, maxBytes: 1_000_000, outDir: fx.file('parts-xlsx') });
    expect(parts.map((p) => [p.rows, p.firstRow, p.lastRow])).toEqual([
      [2, 3, 4],
      [2, 5, 6],
    ]);
    const read = await readParts(parts.map((p) => p.file));
    expect(read.flatMap((r) => r.rows)).toEqual([
      ['a@acme.example', 'Ann', '000123'],
      ['b@acme.example', 'Ben', '000124'],
      ['c@acme.example', 'Cat', '000125'],
      ['Start', '2024-03-01', ''],
    ]);
  });

  it('writes UTF-8 parts from Windows-1252 and UTF-16 files', async () => {
    const text = 'Email;Last name\r\nm@acme.example;Müller\r\nz@acme.example;Žák\r\n';
    // Windows-1252 and Latin-1 agree on these letters.
    const latin = await fx.bytes('latin.csv', Buffer.from(text.replace('Žák', 'Ça'), 'latin1'));
    const utf16 = await fx.bytes(
      'utf16.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const [a] = await splitFile(latin, { maxRows: 10, maxBytes: 10_000, outDir: fx.file('parts-latin') });
    const [b] = await splitFile(utf16, { maxRows: 10, maxBytes: 10_000, outDir: fx.file('parts-utf16') });
    expect(fs.readFileSync(a!.file, 'utf8')).toBe(
      '\uFEFFEmail,Last name\r\nm@acme.example,Müller\r\nz@acme.example,Ça\r\n',
    );
    expect(fs.readFileSync(b!.file, 'utf8')).toBe(
      '\uFEFFEmail,Last name\r\nm@acme.example,Müller\r\nz@acme.example,Žák\r\n',
    );
  });

  it('refuses a row that cannot fit in a part, and leaves no part behind', async () => {
    const rows = [...people(50), ['long@acme.example', 'x'.repeat(5000), '1'], ...people(5)];
    const file = await fx.csv('long.csv', [HEADER, ...rows]);
    const outDir = fx.file('parts-long');
    await expect(splitFile(file, { maxRows: 20, maxBytes: 3000, outDir })).rejects.toThrow(
      /Row 52 alone is 50\d\d bytes: with the header it is over the 3000 allowed per part/,
    );
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it('never overwrites a part already there', async () => {
    const file = await fx.csv('again.csv', [HEADER, ...people(3)]);
    const outDir = fx.file('parts-again');
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(outDir, 'again-part-001.csv'), 'keep me');
    await expect(splitFile(file, { maxRows: 2, maxBytes: 10_000, outDir })).rejects.toThrow(
      /again-part-001\.csv exists already: remove it, or choose another folder with --out/,
    );
    expect(fs.readFileSync(path.join(outDir, 'again-part-001.csv'), 'utf8')).toBe('keep me');
    expect(fs.readdirSync(outDir)).toEqual(['again-part-001.csv']);
  });

  it('refuses limits that are not whole numbers of at least 1, before reading anything', async () => {
    const file = await fx.csv('limits.csv', [HEADER, ...people(3)]);
    const outDir = fx.file('parts-limits');
    await expect(splitFile(file, { maxRows: 0, maxBytes: 10_000, outDir })).rejects.toThrow(/rows per part/);
    await expect(splitFile(file, { maxRows: 2, maxBytes: 1.5, outDir })).rejects.toThrow(/bytes per part/);
    expect(fs.existsSync(outDir)).toBe(false);
  });

  it('says what is wrong with a file that is not a spreadsheet, as the import would', async () => {
    const file = await fx.bytes('random.xlsx', Buffer.from([0, 1, 2, 3, 250, 251, 252, 0, 0, 7]));
    await expect(
      splitFile(file, { maxRows: 2, maxBytes: 10_000, outDir: fx.file('parts-random') }),
    ).rejects.toThrow(/cannot be read as an Excel workbook \(\.xlsx\): it is not a zip archive/);
  });
});
