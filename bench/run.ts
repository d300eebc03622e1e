// `npm run bench [-- NAME… --db=sqlite,postgres --users=N --runs=N --rows=N,N… --explain]`
//
// Runs every benchmark, or those whose name contains one of the NAMEs. A benchmark is a module that
// exports a `Benchmark` (see lib/harness.ts); add it to BENCHMARKS below. Shared resources (a temp
// folder, a private PostgreSQL server started on first use) are released at the end, also after an
// error or Ctrl-C. Not part of `npm test`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Dialect } from '../src/storage/database.js';
import { consoleBench } from './console.js';
import { importBench } from './import.js';
import type { BenchEnv, Benchmark, BenchOptions } from './lib/harness.js';
import { mailBench } from './mail.js';
import { recordsBench } from './records.js';
import { usersList } from './users-list.js';

const BENCHMARKS: Benchmark[] = [usersList, importBench, consoleBench, mailBench, recordsBench];

const USAGE = `usage: npm run bench -- [NAME…] [--db=sqlite,postgres] [--users=N] [--runs=N] [--rows=N,N…] [--invite-rows=N] [--sends=N] [--explain]
  NAME       run only benchmarks whose name contains NAME (${BENCHMARKS.map((b) => b.name).join(', ')})
  --db       databases to run on (default: sqlite,postgres)
  --users    users to seed for users-list (default: 1000000)
  --runs     timed runs per case (default: 30)
  --rows     file sizes for import, in data rows (default: 10000,100000,1000000)
  --invite-rows  users of the import that queues invitations, for mail (default: 100000)
  --sends    emails sent each way (raw nodemailer, mail worker), for mail (default: 2000)
  --explain  print the query plan of every case`;

function parseArgs(argv: string[]): { names: string[]; options: BenchOptions } {
  const names: string[] = [];
  const options: BenchOptions = {
    databases: ['sqlite', 'postgres'],
    users: 1_000_000,
    runs: 30,
    explain: false,
    rows: [10_000, 100_000, 1_000_000],
  };
  for (const arg of argv) {
    const [flag, value = ''] = arg.split('=', 2) as [string, string?];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === '--explain') options.explain = true;
    else if (flag === '--users' || flag === '--runs' || flag === '--invite-rows' || flag === '--sends') {
      const n = Number(value.replace(/[_,]/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive whole number\n${USAGE}`);
      if (flag === '--users') options.users = n;
      else if (flag === '--runs') options.runs = n;
      else if (flag === '--invite-rows') options.inviteRows = n;
      else options.sends = n;
    } else if (flag === '--rows') {
      const sizes = value.split(',').map((v) => Number(v.replace(/_/g, '')));
      if (sizes.length === 0 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) {
        throw new Error(`--rows takes positive whole numbers separated by commas\n${USAGE}`);
      }
      options.rows = sizes;
    } else if (flag === '--db') {
      const dbs = value.split(',').filter(Boolean);
      if (dbs.length === 0 || !dbs.every((d): d is Dialect => d === 'sqlite' || d === 'postgres')) {
        throw new Error(`--db takes sqlite, postgres or both\n${USAGE}`);
      }
      options.databases = dbs;
    } else if (flag.startsWith('-')) throw new Error(`unknown option ${flag}\n${USAGE}`);
    else names.push(arg);
  }
  return { names, options };
}

interface PostgresServer {
  url: string;
  stop(): void;
}
interface PostgresModule {
  startPostgres(opts: { name: string; settings?: string[] }): Promise<PostgresServer>;
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const { names, options } = parseArgs(process.argv.slice(2));
  const selected = BENCHMARKS.filter((b) => names.length === 0 || names.some((n) => b.name.includes(n)));
  if (selected.length === 0) throw new Error(`no benchmark matches ${names.join(', ')}\n${USAGE}`);

  // Cleanup is synchronous (pg_ctl stop and rm are), so that it also runs from an 'exit' handler
  // when something ends the process without passing through `finally`.
  let tempDir: string | null = null;
  let server: Promise<PostgresServer> | null = null;
  let started: PostgresServer | null = null;
  const cleanup = () => {
    started?.stop();
    started = null;
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    tempDir = null;
  };
  process.once('exit', cleanup);
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping PostgreSQL and removing temp files\n`);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const env: BenchEnv = {
    options,
    tempDir() {
      tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-'));
      return tempDir;
    },
    postgresUrl() {
      server ??= (async () => {
        // scripts/postgres.mjs is plain JavaScript, shared with the test runner.
        const modulePath = pathToFileURL(path.resolve(import.meta.dirname, '../scripts/postgres.mjs')).href;
        const mod = (await import(modulePath)) as PostgresModule;
        // BENCH_PG_STATEMENTS=1: the server keeps statistics of every statement (the import bench
        // prints the commit's costliest).
        const settings = process.env.BENCH_PG_STATEMENTS
          ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all']
          : [];
        started = await mod.startPostgres({ name: 'roster-bench', settings });
        return started;
      })();
      return server.then((s) => s.url);
    },
    log(line = '') {
      process.stdout.write(`${line}\n`);
    },
  };

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const sizes = selected
    .map((b) =>
      b.name === 'import'
        ? `import of ${options.rows.map((n) => n.toLocaleString('en-US')).join(' / ')} rows`
        : b.name === 'console'
          ? 'console bundle and first load'
          : b.name === 'mail'
            ? `${(options.inviteRows ?? 100_000).toLocaleString('en-US')} invited users, ${(options.sends ?? 2_000).toLocaleString('en-US')} emails sent each way`
            : `${options.users.toLocaleString('en-US')} users, ${options.runs} runs per case`,
    )
    .join('; ');
  env.log(
    `roster bench: ${selected.map((b) => b.name).join(', ')} | ${options.databases.join(', ')} | ${sizes}`,
  );
  env.log(
    `machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, ` +
      `load average ${loadAverage()} (other work on the machine skews the figures)`,
  );
  const start = performance.now();
  try {
    for (const b of selected) {
      env.log(`\n# ${b.name}: ${b.description}`);
      await b.run(env);
    }
  } finally {
    cleanup();
  }
  env.log(
    `\nbench finished in ${((performance.now() - start) / 1000).toFixed(0)} s; load average ${loadAverage()}`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
