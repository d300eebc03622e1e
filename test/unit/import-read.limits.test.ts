import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTabularFile } from '../../src/core/import/read/index.js';
import { appErrorOf, type Fixtures, makeFixtures, readAll, readTabular } from './import-read.fixtures.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterAll(() => fixtures.cleanup());

const MB = 1024 * 1024;

/** Runs `operation` while sampling the heap; returns its outcome and the heap's growth at its peak. */
async function withPeakHeap<T>(
  operation: () => Promise<T>,
): Promise<{ outcome: T | unknown; peakGrowth: number }> {
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 2);
  try {
    const outcome = await operation().catch((error: unknown) => error);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { outcome, peakGrowth: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}

describe('limits', () => {
  it('refuses a file over the size limit before reading it', async () => {
    // Random bytes: were the content looked at, the error would be a different one.
    const file = await fixtures.bytes('big.xlsx', Buffer.alloc(4096, 7));
    const error = await appErrorOf(() => openTabularFile(file, { maxBytes: 1000, fileName: 'big.xlsx' }));
    expect(error).toMatchObject({
      code: 'import.file_too_large',
      status: 413,
      details: { limit: 1000, actual: 4096 },
    });
    expect(error.message).toMatch(/limit/);
  });

  it('accepts exactly the row limit and refuses the row after it', async () => {
    const lines = (count: number): string =>
      `email\n${Array.from({ length: count }, (_, i) => `u${i}@example.com`).join('\n')}\n`;
    const atLimit = await readTabular(await fixtures.bytes('ten.csv', lines(10)), { maxRows: 10 });
    expect(atLimit.rows).toHaveLength(10);

    const source = await openTabularFile(await fixtures.bytes('eleven.csv', lines(5000)), { maxRows: 10 });
    const seen: number[] = [];
    const error = await appErrorOf(async () => {
      for await (const row of source.rows()) seen.push(row.rowNumber);
    });
    expect(error).toMatchObject({
      code: 'import.too_many_rows',
      details: { limit: 10, actual: 11, rowNumber: 12 },
    });
    expect(seen).toHaveLength(10);
  });

  it('counts only data rows: the header, the hint row and blank rows are free', async () => {
    const text = 'email,type\nRequired,Optional\n\n\na@example.com,Standard\n\nb@example.com,Standard\n';
    const { rows } = await readTabular(await fixtures.bytes('free.csv', text), { maxRows: 2 });
    expect(rows.map((row) => row.rowNumber)).toEqual([5, 7]);
  });

  it('refuses the row limit in a workbook too', async () => {
    const file = await fixtures.xlsx('rows.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('Users');
      sheet.addRow(['email']);
      for (let i = 0; i < 30; i++) sheet.addRow([`u${i}@example.com`]);
    });
    await expect(readTabular(file, { maxRows: 25 })).rejects.toMatchObject({
      code: 'import.too_many_rows',
      details: { limit: 25, rowNumber: 27 },
    });
  });

  it('refuses too many columns', async () => {
    const header = Array.from({ length: 600 }, (_, i) => `c${i}`).join(',');
    const file = await fixtures.bytes('wide.csv', `${header}\na@example.com\n`);
    const error = await appErrorOf(() => openTabularFile(file));
    expect(error).toMatchObject({
      code: 'import.too_many_columns',
      details: { limit: 500, actual: 600, rowNumber: 1 },
    });
  });

  it('refuses a cell over the cell limit, naming row and column', async () => {
    const text = `email,note\na@example.com,"${'x'.repeat(2000)}"\n`;
    await expect(
      readTabular(await fixtures.bytes('long-cell.csv', text), { maxCellChars: 1000 }),
    ).rejects.toMatchObject({
      code: 'import.cell_too_large',
      details: { limit: 1000, rowNumber: 2, column: 2 },
    });
  });

  it('refuses a long shared string in a workbook', async () => {
    const file = await fixtures.xlsx('long-string.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('Users');
      sheet.addRow(['email', 'note']);
      sheet.addRow(['a@example.com', 'y'.repeat(5000)]);
    });
    await expect(readTabular(file, { maxCellChars: 1000 })).rejects.toMatchObject({
      code: 'import.cell_too_large',
    });
  });

  it.each([
    ['with no line break', ''],
    ['inside an unclosed quote', '"'],
  ])('fails fast with bounded memory on a 200 MB single-line CSV (%s)', async (_name, opening) => {
    const file = fixtures.file(`line${opening === '' ? '' : '-quoted'}.csv`);
    const out = createWriteStream(file);
    out.write(`email,note\n${opening}`);
    const block = 'a,b;c|d\t'.repeat(MB / 8);
    for (let i = 0; i < 200; i++) {
      if (!out.write(block)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    const { outcome, peakGrowth } = await withPeakHeap(async () => {
      const source = await openTabularFile(file, { maxBytes: 300 * MB });
      return readAll(source);
    });
    expect(outcome).toMatchObject({
      code: 'import.cell_too_large',
      // Inside the quote the one cell reaches the cell limit first, and the error says where the quote opened.
      details:
        opening === ''
          ? { what: 'row', rowNumber: 2, limit: 4_000_000 }
          : { what: 'cell', rowNumber: 2, limit: 1_000_000, quoteOpenedAtLine: 2 },
    });
    expect(peakGrowth).toBeLessThan(100 * MB);
  });
});
