import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'csv-stringify';
import { requestCommit, runCommit } from '../src/app/imports/commit-import.js';
import { createImport } from '../src/app/imports/create-import.js';
import { getImport, listRows } from '../src/app/imports/manage-import.js';
import { listOwners } from '../src/app/imports/owners.js';
import { requestRollback, runRollback } from '../src/app/imports/rollback-import.js';
import { createUser } from '../src/app/users/create-user.js';
import type { Dialect } from '../src/storage/database.js';
import { BENCH_ADMIN, createWorld, writeCsv } from './import-data.js';
import type { BenchEnv, Benchmark } from './lib/harness.js';
import { table } from './lib/measure.js';
import { openTarget } from './lib/targets.js';

/**
 * `npm run bench -- records`: a customers file of `--rows` rows (100,000 by default, the first size
 * given) across 100 owners, on each database: its dry run beside a users dry run of the same size,
 * the owners page, one owner's preview page, "import all users", the rollback of one owner and of
 * everybody.
 */
const OWNERS = 100;
const LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

async function writeRecordsCsv(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const csv = stringify({ record_delimiter: 'windows' });
  csv.pipe(out);
  const write = (record: string[]) => (csv.write(record) ? Promise.resolve() : once(csv, 'drain'));
  await write(['Rep email', 'Customer number', 'Name', 'Postcode', 'City', 'Phone']);
  // Owners interleaved, as an export sorted by customer gives them: each owner's rows all over the file.
  for (let i = 0; i < rows; i++) {
    const owner = i % OWNERS;
    await write([
      `rep${owner}@bench-records.example`,
      `C${String(i).padStart(7, '0')}`,
      `Customer ${i}`,
      String(10_000 + (i % 89_999)),
      ['Berlin', 'Hamburg', 'Munich', 'Leipzig'][i % 4]!,
      `+49 30 ${String(i).padStart(7, '0')}`,
    ]);
  }
  csv.end();
  await once(out, 'finish');
  return fs.statSync(file).size;
}

const seconds = (start: number) => (performance.now() - start) / 1000;

async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export const recordsBench: Benchmark = {
  name: 'records',
  description: 'record imports owner by owner: dry run, owners page, preview page, import all, rollbacks',
  async run(env: BenchEnv) {
    const rows = env.options.rows[0] ?? 100_000;
    const runs = Math.min(env.options.runs, 20);
    const recordsFile = path.join(env.tempDir(), `records-${rows}.csv`);
    const usersFile = path.join(env.tempDir(), `users-${rows}.csv`);
    const recordsBytes = await writeRecordsCsv(recordsFile, rows);
    const usersBytes = await writeCsv(usersFile, rows);
    const lines: string[][] = [];
    for (const dialect of env.options.databases) {
      const target = await openTarget(env, dialect, `records_${rows}`);
      const ctx = target.ctx;
      try {
        const customerId = await createWorld(ctx, rows, Math.max(recordsBytes, usersBytes));
        const reps: number[] = [];
        for (let o = 0; o < OWNERS; o++) {
          const user = await createUser(ctx, BENCH_ADMIN, {
            email: `rep${o}@bench-records.example`,
            firstName: `Rep ${o}`,
            lastName: 'Bench',
            customerId,
          });
          reps.push(user.id);
        }
        env.log(`  ${LABEL[dialect]}: users dry run of ${rows} rows…`);
        let start = performance.now();
        await createImport(ctx, BENCH_ADMIN, {
          target: 'users',
          fileName: path.basename(usersFile),
          filePath: usersFile,
          options: { customerId },
        });
        const usersDryRun = seconds(start);
        env.log(`  ${LABEL[dialect]}: customers dry run of ${rows} rows…`);
        start = performance.now();
        const view = await createImport(ctx, BENCH_ADMIN, {
          target: 'customers',
          fileName: path.basename(recordsFile),
          filePath: recordsFile,
          options: { customerId, mode: 'insert' },
        });
        const recordsDryRun = seconds(start);
        const id = view.id;
        const ownersPage = await median(runs, () => listOwners(ctx, BENCH_ADMIN, id));
        const previewPage = await median(runs, () =>
          listRows(ctx, BENCH_ADMIN, id, { filter: { kind: 'all' }, limit: 100, owner: reps[50]! }),
        );
        const viewMs = await median(runs, () => getImport(ctx, BENCH_ADMIN, id));
        env.log(`  ${LABEL[dialect]}: import all users…`);
        start = performance.now();
        await requestCommit(ctx, BENCH_ADMIN, id);
        await runCommit(ctx, id);
        const importAll = seconds(start);
        const committed = await getImport(ctx, BENCH_ADMIN, id);
        if (committed.status !== 'completed') throw new Error(`import all ended ${committed.status}`);
        env.log(`  ${LABEL[dialect]}: rollbacks…`);
        start = performance.now();
        await requestRollback(ctx, BENCH_ADMIN, id, [reps[50]!]);
        await runRollback(ctx, id);
        const rollbackOne = seconds(start);
        start = performance.now();
        await requestRollback(ctx, BENCH_ADMIN, id);
        await runRollback(ctx, id);
        const rollbackAll = seconds(start);
        lines.push([
          `${LABEL[dialect]}, ${rows.toLocaleString('en-US')}`,
          usersDryRun.toFixed(2),
          recordsDryRun.toFixed(2),
          (recordsDryRun / usersDryRun).toFixed(2),
          ownersPage.toFixed(1),
          previewPage.toFixed(1),
          viewMs.toFixed(1),
          importAll.toFixed(2),
          Math.round(rows / importAll).toLocaleString('en-US'),
          rollbackOne.toFixed(2),
          rollbackAll.toFixed(2),
        ]);
      } finally {
        await target.close();
      }
    }
    env.log(
      table(
        [
          'database, rows',
          'users dry run s',
          'customers dry run s',
          'customers / users',
          'owners page ms',
          'preview page ms',
          'import view ms',
          'import all s',
          'import all rows/s',
          'rollback one owner s',
          'rollback of the rest s',
        ],
        lines,
      ),
    );
  },
};
