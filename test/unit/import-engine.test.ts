import { describe, expect, it } from 'vitest';
import {
  BATCH_SIZE,
  COMMIT_CHUNK,
  commitRows,
  fixRow,
  markDuplicates,
  revalidateAll,
  stageRows,
} from '../../src/core/import/engine.js';
import type { FileRow } from '../../src/core/import/validate.js';
import { MemoryStaging, memoryCommit, widgetEnv, widgetPlan } from './support/memory-import.js';

const HEADER = ['Code', 'Name', 'Quantity', 'Kind'];

async function* rowsOf(cells: string[][]): AsyncGenerator<FileRow> {
  let row = 2;
  for (const c of cells) yield { row: row++, cells: c };
}

async function staged(cells: string[][], env = widgetEnv(), options = {}) {
  const plan = widgetPlan(env, HEADER, options);
  const staging = new MemoryStaging();
  await stageRows(plan, rowsOf(cells), staging);
  await markDuplicates(plan, staging);
  return { plan, staging, env };
}

describe('staging: every cell read, every row checked, duplicates across the file', () => {
  it('reports each bad cell with its code and the row it is in, and plans the good rows', async () => {
    const { staging } = await staged([
      ['W1', 'Bolt', '3', 'plain'],
      ['', 'No code', '1', ''],
      ['W3', 'Nut', 'three', 'Fancy'],
      ['W4', 'A name far too long for a widget', '', 'shiny'],
    ]);
    expect(staging.codes(2)).toEqual([]);
    expect(staging.rows.get(2)!.action).toBe('create');
    expect(staging.codes(3)).toEqual(['value.required']);
    expect(staging.codes(4)).toEqual(['number.invalid']);
    expect(staging.codes(5).sort()).toEqual(['value.not_allowed', 'value.too_long']);
    // An enum matched ignoring case keeps the allowed spelling; a bad row plans nothing.
    expect(staging.rows.get(4)!.action).toBeNull();
  });

  it('marks the later row of a repeated key, pointing at the first, ignoring case', async () => {
    const { staging } = await staged([
      ['W1', 'a', '', ''],
      ['w1', 'b', '', ''],
      ['W2', 'c', '', ''],
      ['W1', 'd', '', ''],
    ]);
    expect(staging.codes(2)).toEqual([]);
    expect(staging.codes(3)).toEqual(['row.duplicate']);
    expect(staging.rows.get(3)!.problems[0]!.message).toContain('row 2');
    expect(staging.codes(5)).toEqual(['row.duplicate']);
    expect(staging.rows.get(3)!.action).toBeNull();
  });

  it('stages in batches of BATCH_SIZE rows, each handed to the port on its own', async () => {
    const rows = Array.from({ length: BATCH_SIZE * 2 + 5 }, (_, i) => [`W${i}`, '', '', '']);
    const { staging } = await staged(rows);
    expect(staging.inserts).toBe(3);
    expect(staging.rows.size).toBe(BATCH_SIZE * 2 + 5);
  });

  it('plans a skip under the mode, with the reason as a warning', async () => {
    const env = widgetEnv([{ code: 'W1', name: 'Bolt', qty: 1, kind: 'plain' }]);
    const { staging } = await staged(
      [
        ['W1', 'Bolt', '', ''],
        ['W2', 'Nut', '', ''],
      ],
      env,
      { mode: 'insert' },
    );
    expect(staging.rows.get(2)!.action).toBe('skip');
    expect(staging.rows.get(2)!.problems).toMatchObject([{ code: 'row.skipped', severity: 'warning' }]);
    expect(staging.rows.get(3)!.action).toBe('create');
  });
});

describe('fixes and revalidation', () => {
  it('a fixed cell is checked at once, and the row it duplicated is cleared too', async () => {
    const { plan, staging } = await staged([
      ['W1', 'a', '', ''],
      ['W1', 'b', '', ''],
    ]);
    expect(staging.codes(3)).toEqual(['row.duplicate']);
    const touched = await fixRow(plan, staging, 3, ['W2', 'b', '', '']);
    expect(touched).toEqual([2, 3]);
    expect(staging.codes(3)).toEqual([]);
    expect(staging.rows.get(3)!.action).toBe('create');
    // A fix can also make a duplicate: the later row is the one marked.
    await fixRow(plan, staging, 2, ['w2', 'a', '', '']);
    expect(staging.codes(2)).toEqual([]);
    expect(staging.codes(3)).toEqual(['row.duplicate']);
  });

  it('revalidates every row under new options, keeping the cells as fixed', async () => {
    const env = widgetEnv([{ code: 'W1', name: 'Bolt', qty: 1, kind: 'plain' }]);
    const { plan, staging } = await staged([['W1', 'Bolt', '2', '']], env);
    expect(staging.rows.get(2)!.action).toBe('update');
    await revalidateAll({ ...plan, options: { ...plan.options, mode: 'insert' } }, staging);
    expect(staging.rows.get(2)!.action).toBe('skip');
  });
});

describe('commit', () => {
  it('writes the valid rows, reports each, and leaves the invalid ones alone', async () => {
    const env = widgetEnv([{ code: 'W1', name: 'Bolt', qty: 1, kind: 'plain' }]);
    const { plan, staging } = await staged(
      [
        ['W1', 'Bolt', '1', 'plain'],
        ['W2', 'Nut', '2', ''],
        ['W3', 'Washer', 'x', ''],
        ['W1', 'Bolt again', '', ''],
      ],
      env,
    );
    const port = memoryCommit(staging, env);
    expect(await commitRows(plan, port, 1, 0, 0)).toBe('completed');
    expect(staging.rows.get(2)!.result).toMatchObject({ action: 'unchanged', entityId: 1 });
    expect(staging.rows.get(3)!.result).toMatchObject({ action: 'created' });
    expect(staging.rows.get(4)!.result).toBeNull();
    expect(staging.rows.get(5)!.result).toBeNull();
    expect(env.store.get('w2')).toMatchObject({ name: 'Nut', qty: 2, kind: 'plain' });
  });

  it('checks each chunk again: a row that became a conflict since the dry run fails with its reason', async () => {
    const env = widgetEnv();
    const { plan, staging } = await staged([['W1', 'Bolt', '', '']], env, { mode: 'insert' });
    expect(staging.rows.get(2)!.action).toBe('create');
    env.store.set('w1', { id: 99, code: 'W1', name: 'Made meanwhile', qty: null, kind: 'plain' });
    await commitRows(plan, memoryCommit(staging, env), 1, 0, 0);
    expect(staging.rows.get(2)!.result).toMatchObject({ action: 'skipped', message: 'This widget exists.' });
    expect(env.store.get('w1')!.name).toBe('Made meanwhile');
  });

  it('stops between batches when interrupted and resumes where it stopped, writing no row twice', async () => {
    const env = widgetEnv();
    const rows = Array.from({ length: 25 }, (_, i) => [`W${i}`, `n${i}`, '', '']);
    const { plan, staging } = await staged(rows, env);
    const first = memoryCommit(staging, env, { interruptAfterBatches: 1, batchTimeMs: 0 });
    expect(await commitRows(plan, first, 1, 0, 0, 10)).toBe('interrupted');
    expect(first.committedThrough).toBe(11);
    expect(env.store.size).toBe(10);
    const done = staging.sorted().filter((r) => r.result !== null).length;
    const second = memoryCommit(staging, env);
    expect(await commitRows(plan, second, 1, first.committedThrough, done, 10)).toBe('completed');
    expect(env.store.size).toBe(25);
    expect(staging.sorted().every((r) => r.result?.action === 'created')).toBe(true);
    expect(second.progressSeen.at(-1)).toBe(25);
  });

  it('hears a cancel between batches', async () => {
    const env = widgetEnv();
    const rows = Array.from({ length: 30 }, (_, i) => [`W${i}`, '', '', '']);
    const { plan, staging } = await staged(rows, env);
    const port = memoryCommit(staging, env, { cancelAfterBatches: 1, batchTimeMs: 0 });
    expect(await commitRows(plan, port, 1, 0, 0, 10)).toBe('cancelled');
    expect(env.store.size).toBe(10);
  });

  it('grows batches from the first size while they keep within the time', async () => {
    const env = widgetEnv();
    const rows = Array.from({ length: 70 }, (_, i) => [`W${i}`, '', '', '']);
    const { plan, staging } = await staged(rows, env);
    const port = memoryCommit(staging, env);
    await commitRows(plan, port, 1, 0, 0, 10);
    // 10, 20, 40 rows: three transactions for 70 rows.
    expect(port.progressSeen).toEqual([10, 30, 70]);
  });

  it('ends a batch after the chunk in hand when another writer waits', async () => {
    const env = widgetEnv();
    const rows = Array.from({ length: COMMIT_CHUNK * 3 }, (_, i) => [`W${i}`, '', '', '']);
    const { plan, staging } = await staged(rows, env);
    const quiet = memoryCommit(staging, env);
    await commitRows(plan, quiet, 1, 0, 0, COMMIT_CHUNK * 3);
    expect(quiet.batches).toBe(1);
    const { plan: again, staging: fresh, env: env2 } = await staged(rows);
    const busy = { ...memoryCommit(fresh, env2), othersWaiting: () => true };
    await commitRows(again, busy, 1, 0, 0, COMMIT_CHUNK * 3);
    // One chunk a batch: progress is saved after each.
    expect(busy.progressSeen).toEqual([COMMIT_CHUNK, COMMIT_CHUNK * 2, COMMIT_CHUNK * 3]);
    expect(env2.store.size).toBe(COMMIT_CHUNK * 3);
    expect(fresh.sorted().every((r) => r.result?.action === 'created')).toBe(true);
  });

  it('sizes chunks by time where other writes wait for each one (chunkTimeMs)', async () => {
    const env = widgetEnv();
    const rows = Array.from({ length: COMMIT_CHUNK * 2 }, (_, i) => [`W${i}`, '', '', '']);
    const { plan, staging } = await staged(rows, env);
    // Rows that take 0.1 ms each to write: a 2,000-row chunk takes 200 ms or more, four times the aim.
    const slow = {
      ...plan,
      target: {
        ...plan.target,
        commit: async (...args: Parameters<typeof plan.target.commit>) => {
          await new Promise((resolve) => setTimeout(resolve, args[0].length / 10));
          return plan.target.commit(...args);
        },
      },
    };
    const base = memoryCommit(staging, env);
    const asked: number[] = [];
    const port = {
      ...base,
      chunkTimeMs: 50,
      readValid: (after: number, limit: number) => {
        asked.push(limit);
        return base.readValid(after, limit);
      },
      othersWaiting: () => true,
    };
    expect(await commitRows(slow, port, 1, 0, 0, COMMIT_CHUNK * 2)).toBe('completed');
    // The first chunk is full; the next ones about a quarter of it (fewer when the machine is slower).
    expect(asked[0]).toBe(COMMIT_CHUNK);
    expect(asked[1]).toBeLessThanOrEqual(COMMIT_CHUNK / 4);
    expect(asked[1]).toBeGreaterThanOrEqual(200);
    expect(env.store.size).toBe(COMMIT_CHUNK * 2);
    expect(staging.sorted().every((r) => r.result?.action === 'created')).toBe(true);
  });

  it('a batch that throws writes nothing of itself, and the resume point stays before it', async () => {
    const env = widgetEnv();
    const rows = Array.from({ length: 5 }, (_, i) => [`W${i}`, '', '', '']);
    const { plan, staging } = await staged(rows, env);
    const failing = {
      ...plan,
      target: { ...plan.target, commit: async () => Promise.reject(new Error('disk full')) },
    };
    const port = memoryCommit(staging, env);
    await expect(commitRows(failing, port, 1, 0, 0)).rejects.toThrow('disk full');
    expect(port.committedThrough).toBe(0);
    expect(env.store.size).toBe(0);
  });
});
