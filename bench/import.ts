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
 * Runs one import in a child process (bench/import-run.ts) and returns what it measured. Each size
 * gets a fresh process, so that one size's memory does not show in the next one's peak.
 */
function runChild(env: BenchEnv, dialect: Dialect, rows: number, file: string, pgUrl: string) {
  const script = path.resolve(import.meta.dirname, 'import-run.ts');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
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
    const results: ImportRunResult[] = [];
    for (const dialect of options.databases) {
      const pgUrl = dialect === 'postgres' ? await env.postgresUrl() : '';
      for (const rows of options.rows) {
        log(`\n== ${LABEL[dialect]}: import of ${int(rows)} rows ==`);
        const r = await runChild(env, dialect, rows, files.get(rows)!, pgUrl);
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
