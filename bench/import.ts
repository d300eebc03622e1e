import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Dialect } from '../src/storage/database.js';
import { writeCsv } from './import-data.js';
import type { ImportRunResult } from './import-run.js';
import type { BenchEnv, Benchmark } from './lib/harness.js';
import { int, table } from './lib/measure.js';

const LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const MB = 1_048_576;

/**
 * The import runs as the server runs in production: compiled JavaScript, without the TypeScript
 * loader that `npm run bench` itself uses. Under tsx each process (and the worker thread that reads
 * the file) carries the loader and its caches, about 45 MB of resident memory that a server started
 * with `npm start` never has, so a peak RSS measured from the sources would be the loader's as much
 * as Roster's. The sources and the bench are compiled once per run, incrementally, next to the
 * packages they import (node_modules/.cache/roster-bench).
 */
async function compiled(log: (line: string) => void): Promise<string> {
  const root = path.resolve(import.meta.dirname, '..');
  const start = performance.now();
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const code = await new Promise<number | null>((resolve, reject) => {
    const build = spawn(process.execPath, [tsc, '-p', path.join(root, 'bench/tsconfig.run.json')], {
      cwd: root,
      stdio: 'inherit',
    });
    build.on('error', reject);
    build.on('close', resolve);
  });
  if (code !== 0) throw new Error(`compiling the sources for the import bench failed (tsc exit ${code})`);
  log(`compiled the sources in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return path.join(root, 'node_modules/.cache/roster-bench/bench/import-run.js');
}

/**
 * Runs one import in a child process (bench/import-run.ts, compiled) and returns what it measured.
 * Each size gets a fresh process, so that one size's memory does not show in the next one's peak.
 */
function runChild(
  env: BenchEnv,
  script: string,
  dialect: Dialect,
  rows: number,
  file: string,
  pgUrl: string,
) {
  const child = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROF=DIR: a CPU profile of each import process into DIR (open it in Chrome's DevTools).
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      script,
      `--db=${dialect}`,
      `--rows=${rows}`,
      `--file=${file}`,
      `--dir=${env.tempDir()}`,
      `--pg=${pgUrl}`,
    ],
    { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  return new Promise<ImportRunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`import of ${rows} rows on ${dialect} failed (exit ${code})`));
        return;
      }
      resolve(JSON.parse(line) as ImportRunResult);
    });
  });
}

const rate = (rows: number, seconds: number) => int(rows / seconds);

/** A speed against the baseline's, from their times: "1/4.20" when slower, "1.50×" when faster. */
function ratio(baselineSeconds: number, seconds: number): string {
  const slower = seconds / baselineSeconds;
  return slower >= 1 ? `1/${slower.toFixed(2)}` : `${(1 / slower).toFixed(2)}×`;
}

function resultTable(results: readonly ImportRunResult[]): string {
  return table(
    [
      'database, rows',
      'dry run s',
      'parse+validate rows/s',
      'commit s',
      'commit rows/s',
      'value map s (to invalid / to valid)',
      'value map CPU s',
      'full rows/s',
      'baseline rows/s',
      'full / baseline',
      'full / users copy',
      'dry run / baseline',
      'peak RSS dry run',
      'peak RSS commit',
      'users copy / baseline',
      'keys-only copy + list indexes built / baseline',
      'other writes p99 dry run / commit',
      'update dry run s (every row a diff)',
      'update / insert dry run',
      'update / insert dry run CPU',
    ],
    results.map((r) => {
      const full = r.rows / (r.dryRunSeconds + r.commitSeconds);
      const baseline = r.rows / r.baselineSeconds;
      return [
        `${LABEL[r.dialect]}, ${int(r.rows)}`,
        r.dryRunSeconds.toFixed(2),
        rate(r.rows, r.dryRunSeconds),
        r.commitSeconds.toFixed(2),
        rate(r.rows, r.commitSeconds),
        r.valueMapSeconds.map((t) => t.toFixed(2)).join(' / '),
        r.valueMapCpuSeconds.map((t) => t.toFixed(2)).join(' / '),
        int(full),
        int(baseline),
        ratio(r.rows / baseline, r.rows / full),
        // The import's targets (issue: within 3× of the users copy at 100,000 rows, 2× at 1,000,000).
        `${((r.dryRunSeconds + r.commitSeconds) / r.usersCopy.allIndexes).toFixed(2)}× (target ≤ ${r.rows >= 1_000_000 ? 2 : 3}×)`,
        `${(r.dryRunSeconds / r.baselineSeconds).toFixed(2)}× (target ≤ 2.5×)`,
        `${int(r.peakRssDryRun / MB)} MB`,
        `${int(r.peakRssCommit / MB)} MB`,
        ratio(r.baselineSeconds, r.usersCopy.allIndexes),
        ratio(r.baselineSeconds, r.usersCopy.keysOnly + r.usersCopy.listIndexesAfter),
        `${r.writeLatencyDryRun.p99.toFixed(0)} / ${r.writeLatencyCommit.p99.toFixed(0)} ms`,
        r.updateDryRunSeconds.toFixed(2),
        `${(r.updateDryRunSeconds / r.dryRunSeconds).toFixed(2)}× (target ≤ 1.5×)`,
        `${(r.updateDryRunCpuSeconds / r.dryRunCpuSeconds).toFixed(2)}×`,
      ];
    }),
  );
}

export const importBench: Benchmark = {
  name: 'import',
  description:
    'CSV import of new users through the use cases (createImport → requestCommit → runCommit), against a plain bulk load',
  async run(env) {
    const { options, log } = env;
    const files = new Map<number, string>();
    for (const rows of options.rows) {
      const file = path.join(env.tempDir(), `people-${rows}.csv`);
      const start = performance.now();
      const bytes = await writeCsv(file, rows);
      log(
        `wrote ${int(rows)} rows (${(bytes / MB).toFixed(1)} MB) with csv-stringify in ` +
          `${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
      files.set(rows, file);
    }
    const script = await compiled(log);
    const results: ImportRunResult[] = [];
    for (const dialect of options.databases) {
      const pgUrl = dialect === 'postgres' ? await env.postgresUrl() : '';
      for (const rows of options.rows) {
        log(`\n== ${LABEL[dialect]}: import of ${int(rows)} rows ==`);
        const r = await runChild(env, script, dialect, rows, files.get(rows)!, pgUrl);
        results.push(r);
        log(resultTable([r]));
      }
    }
    log(`\n== import: all runs ==\n`);
    log(resultTable(results));
    log(
      '\ndry run = createImport (read, parse, validate, stage, count); commit = requestCommit + runCommit;' +
        '\nupdate dry run = createImport in mode update of the same people, every row changed (last name,' +
        "\na third moved site, half with other roles), each row's before → after diff computed and staged;" +
        '\nvalue map = a bulk fix of the Site column (applyFix, every changed row checked again): every site to' +
        '\nan unknown one, then that one to HQ;' +
        '\nfull = rows / (dry run + commit); baseline: the same file into a table with a unique email index' +
        '\n(SQLite: papaparse stream + one prepared INSERT per row, one transaction; PostgreSQL: COPY FROM STDIN);' +
        '\npeak RSS: the import process’s high-water mark (VmHWM) over each phase;' +
        '\nusers copy: the imported users copied with one insert … select into an empty table shaped like' +
        '\nusers, with every index; keys-only copy + list indexes built: into one with its keys only, then' +
        '\nits list indexes created. Either is less than any import of these users can cost.' +
        '\nother writes: an insert in a transaction of its own every 50 ms while the import runs, as another' +
        '\nrequest would write (through inTransaction: the same turn-taking on SQLite), its p99 latency.',
    );
  },
};
