/**
 * The fidelity corpus (test/fixtures/fidelity, written by generate.ts beside it): every file read
 * through the import's reader and through `roster split`, every cell compared with what a person
 * opening the file sees, and every row read inexactly carrying its problem.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitFile } from '../../src/cli/split-file.js';
import { openTabularFile, type TabularRow } from '../../src/core/import/read/index.js';
import type { FidelityCase } from '../fixtures/fidelity/generate.js';

const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/fidelity');
const cases = JSON.parse(await readFile(path.join(corpus, 'expected.json'), 'utf8')) as FidelityCase[];
const title = (c: FidelityCase) => `${c.file}${c.options ? ` ${JSON.stringify(c.options)}` : ''}: ${c.about}`;

let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'roster-fidelity-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function read(c: FidelityCase) {
  const source = await openTabularFile(path.join(corpus, c.file), { fileName: c.file, ...c.options });
  const rows: TabularRow[] = [];
  for await (const row of source.rows()) rows.push(row);
  return { source, rows };
}

describe('the fidelity corpus through the reader', () => {
  it.each(cases.filter((c) => !c.error).map((c) => [title(c), c] as const))('%s', async (_title, c) => {
    const { source, rows } = await read(c);
    expect(source.header).toEqual(c.header);
    expect(rows.map((r) => ({ row: r.rowNumber, cells: r.cells }))).toEqual(c.rows);
    const problems = rows.flatMap((r) =>
      (r.problems ?? []).map((p) => ({ row: r.rowNumber, column: p.column, code: p.code })),
    );
    expect(problems).toEqual(c.problems ?? []);
    for (const p of rows.flatMap((r) => r.problems ?? [])) expect(p.message.length).toBeGreaterThan(20);
    const { sheet, otherSheetsWithData: _others, ...meta } = c.meta ?? {};
    expect(source).toMatchObject(meta);
    if (sheet !== undefined) expect(source.sheet?.name).toBe(sheet);
    if (c.meta?.otherSheetsWithData !== undefined) {
      expect(source.sheet?.otherSheetsWithData).toEqual(c.meta.otherSheetsWithData);
    }
  });

  it.each(cases.filter((c) => c.error).map((c) => [title(c), c] as const))('%s', async (_title, c) => {
    await expect(read(c)).rejects.toMatchObject({ code: c.error, details: c.meta ?? {} });
  });
});

describe('the fidelity corpus through roster split', () => {
  it.each(cases.filter((c) => !c.error).map((c) => [title(c), c] as const))('%s', async (_title, c) => {
    const dir = path.join(out, `${c.file}${c.options ? `-${Object.values(c.options).join('-')}` : ''}`);
    const problems: { row: number; code: string }[] = [];
    const parts = await splitFile(path.join(corpus, c.file), {
      maxRows: 1000,
      maxBytes: 1_000_000,
      outDir: dir,
      ...(c.options && { read: c.options }),
      onProblem: (row, problem) => problems.push({ row, code: problem.code }),
    });
    expect(parts).toHaveLength(1);
    const part = await openTabularFile(parts[0]!.file);
    const cells: string[][] = [];
    for await (const row of part.rows()) cells.push(row.cells);
    expect(part.header).toEqual(c.header);
    expect(cells).toEqual(c.rows!.map((r) => r.cells));
    expect(problems).toEqual((c.problems ?? []).map((p) => ({ row: p.row, code: p.code })));
  });
});
