import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CsvRecord, CsvRecordParser } from '../../src/core/import/read/csv-parser.js';
import { openTabularFile } from '../../src/core/import/read/index.js';
import { DEFAULT_READ_LIMITS } from '../../src/core/import/read/limits.js';
import { type Fixtures, makeFixtures } from './import-read.fixtures.js';

const limits = {
  maxCellChars: DEFAULT_READ_LIMITS.maxCellChars,
  maxRecordChars: 4 * DEFAULT_READ_LIMITS.maxCellChars,
};

function parse(chunks: string[]): CsvRecord[] {
  const parser = new CsvRecordParser(',', limits);
  const out: CsvRecord[] = [];
  for (const chunk of chunks) parser.push(chunk, out);
  parser.end(out);
  return out;
}

let fx: Fixtures;
beforeAll(async () => {
  fx = await makeFixtures();
});
afterAll(async () => {
  await fx.cleanup();
});

describe('CSV records', () => {
  const text = 'a,"b ""q"" c",d\r\n"multi\r\nline",x\r\r\n"Bobby" Jr,Bob "the" Smith,\n"",e\rlast,"\n"';

  it('reads the same records whatever the chunks are cut at', () => {
    const whole = parse([text]);
    expect(whole.map((r) => r.cells)).toEqual([
      ['a', 'b "q" c', 'd'],
      ['multi\r\nline', 'x'],
      [''],
      ['Bobby Jr', 'Bob "the" Smith', ''],
      ['', 'e'],
      ['last', '\n'],
    ]);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 4, 5, 6, 7]);
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(parse([...text])).toEqual(whole);
  });

  it('names the line where an unclosed quote opened', () => {
    expect(() => parse(['a,b\nc,"d\ne,f\n'])).toThrow(
      expect.objectContaining({
        code: 'import.unclosed_quote',
        details: { line: 2, rowNumber: 2, column: 2 },
      }),
    );
  });

  it('refuses a zero byte anywhere, not only in the first 64 KB', async () => {
    const early = await fx.bytes('nul-early.csv', Buffer.concat([Buffer.from('email\na\0@example.com\n')]));
    const late = await fx.bytes(
      'nul-late.csv',
      Buffer.concat([
        Buffer.from(`email\n${'a@example.com\n'.repeat(6000)}`),
        Buffer.from('b\0@example.com\n'),
      ]),
    );
    for (const file of [early, late]) {
      await expect(openTabularFile(file)).rejects.toMatchObject({ code: 'import.file_unreadable' });
    }
  });

  it('reads a file as the admin says: encoding and delimiter given', async () => {
    const file = await fx.bytes('given.csv', Buffer.from([0x61, 0x3b, 0x62, 0x0a, 0x8e, 0x3b, 0x78, 0x0a]));
    const source = await openTabularFile(file, { encoding: 'macintosh', delimiter: ';' });
    const rows = [];
    for await (const row of source.rows()) rows.push(row.cells);
    expect(source).toMatchObject({
      encoding: 'macintosh',
      delimiter: ';',
      detected: { encoding: false, delimiter: false },
    });
    expect(rows).toEqual([['é', 'x']]);
  });
});
