// One import measured in its own process, so that each size's peak memory is its own:
//   node --import tsx bench/import-run.ts --db=sqlite|postgres --rows=N --file=F --dir=D [--pg=URL]
// Prints progress on stderr and one JSON line (ImportRunResult) on stdout. Started by bench/import.ts.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import Papa from 'papaparse';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AppContext } from '../src/app/context.js';
import { requestCommit, runCommit } from '../src/app/imports/commit-import.js';
import { createImport } from '../src/app/imports/create-import.js';
import { applyFix } from '../src/app/imports/fixes.js';
import { getImport } from '../src/app/imports/manage-import.js';
import { inTransaction } from '../src/app/shared.js';
import type { Dialect } from '../src/storage/database.js';
import { BENCH_ADMIN, createWorld, HEADER, SITES, writeUpdateCsv } from './import-data.js';
import type { BenchEnv } from './lib/harness.js';
import { openTarget, type Target } from './lib/targets.js';

export interface ImportRunResult {
  dialect: Dialect;
  rows: number;
  fileBytes: number;
  /** createImport: read, parse, validate, stage, count (the whole of a dry run). */
  dryRunSeconds: number;
  /** requestCommit + runCommit: every row written, with its result and the restore point. */
  commitSeconds: number;
  /**
   * Two bulk value-map fixes of the Site column between dry run and commit, each answered with
   * every changed row checked again: every site to an unknown one (the rows naming a site, about
   * 70%, turn invalid), then that one to HQ (all valid again), in seconds.
   */
  valueMapSeconds: [number, number];
  /** CPU time of this process over each of those fixes (the database's own work on PostgreSQL not counted). */
  valueMapCpuSeconds: [number, number];
  /** CPU time of this process (user + system) over each phase, in seconds. */
  dryRunCpuSeconds: number;
  commitCpuSeconds: number;
  /** Peak resident memory of this process over each phase, in bytes. */
  peakRssDryRun: number;
  peakRssCommit: number;
  peakRss: number;
  /**
   * What another request's small write waits meanwhile: one insert in a transaction of its own
   * every 50 ms through the same path as any request (`inTransaction`), its latency in ms.
   */
  writeLatencyDryRun: LatencySummary;
  writeLatencyCommit: LatencySummary;
  /** The same file into a plain table with a unique email index, the fastest plain way. */
  baselineSeconds: number;
  baselineMethod: string;
  /** The floor under any import: the imported users copied into empty tables shaped like `users`. */
  usersCopy: UsersCopy;
  created: number;
  /**
   * The dry run of an update of every user just imported (`writeUpdateCsv`: every row changes, each
   * with its before → after diff computed and staged), in seconds: against `dryRunSeconds`.
   */
  updateDryRunSeconds: number;
  updateDryRunCpuSeconds: number;
  /** The updates' planned counts (`update`: will change, `unchanged`). */
  updatePlanned: Record<string, number>;
}

function args(): { dialect: Dialect; rows: number; file: string; dir: string; pg: string } {
  const get = (name: string) => {
    const found = process.argv.find((a) => a.startsWith(`--${name}=`));
    return found ? found.slice(name.length + 3) : '';
  };
  const dialect = get('db');
  if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error('--db=sqlite|postgres');
  return { dialect, rows: Number(get('rows')), file: get('file'), dir: get('dir'), pg: get('pg') };
}

/**
 * Peak RSS: the kernel's high-water mark (VmHWM), reset between phases through clear_refs; where
 * /proc is missing, process.memoryUsage().rss sampled every 50 ms.
 */
class PeakRss {
  #sampled = 0;
  readonly #timer = setInterval(() => this.#sample(), 50);
  readonly #proc = fs.existsSync('/proc/self/status');
  constructor() {
    this.#timer.unref();
  }
  #sample() {
    this.#sampled = Math.max(this.#sampled, process.memoryUsage().rss);
  }
  /** The peak since the last reset; then starts over. */
  take(): number {
    this.#sample();
    let peak = this.#sampled;
    if (this.#proc) {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      try {
        fs.writeFileSync('/proc/self/clear_refs', '5');
      } catch {
        // not allowed here: the high-water mark then covers the process's whole life
      }
    }
    this.#sampled = process.memoryUsage().rss;
    return peak;
  }
  stop() {
    clearInterval(this.#timer);
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Makes a small write every 50 ms, as another admin's request would, and times each. */
class WriteProbe {
  #latencies: number[] = [];
  #timer: NodeJS.Timeout | null = null;
  constructor(private readonly ctx: AppContext) {}
  static async prepare(ctx: AppContext): Promise<void> {
    await ctx.db.schema
      .createTable('latency_probe')
      .ifNotExists()
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
  }
  start(): void {
    this.#latencies = [];
    // A request arriving while the event loop is busy (a synchronous SQLite batch) waits for it too:
    // each write is timed from when it was due, and writes due while the loop was held all go.
    const t0 = performance.now();
    let issued = 0;
    this.#timer = setInterval(() => {
      const now = performance.now();
      while (t0 + (issued + 1) * 50 <= now) {
        const due = t0 + ++issued * 50;
        void inTransaction(this.ctx, async (db) => {
          await (db as unknown as Kysely<{ latency_probe: { at: string } }>)
            .insertInto('latency_probe')
            .values({ at: new Date().toISOString() })
            .execute();
        }).then(() => this.#latencies.push(performance.now() - due));
      }
    }, 50);
  }
  stop(): LatencySummary {
    if (this.#timer) clearInterval(this.#timer);
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
  }
}

const log = (line: string) => process.stderr.write(`  ${line}\n`);

/** SQLite: papaparse streaming the file, one prepared INSERT per row, all in one transaction. */
async function sqliteBaseline(target: Target, file: string): Promise<void> {
  const sqlite = target.ctx.storage.sqlite!;
  sqlite.exec(`create table baseline (id integer primary key, email text not null, first_name text,
    last_name text, site text, roles text, employee_number text, start_date text)`);
  sqlite.exec('create unique index baseline_email on baseline (lower(email))');
  const insert = sqlite.prepare(
    'insert into baseline (email, first_name, last_name, site, roles, employee_number, start_date) values (?, ?, ?, ?, ?, ?, ?)',
  );
  sqlite.exec('begin');
  let header = true;
  await new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(fs.createReadStream(file), {
      skipEmptyLines: true,
      step(result) {
        if (header) header = false;
        else insert.run(result.data);
      },
      complete: () => resolve(),
      error: reject,
    });
  });
  sqlite.exec('commit');
}

/** PostgreSQL: the file streamed into COPY … FROM STDIN (server-side CSV parsing), one statement. */
async function postgresBaseline(target: Target, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    await client.query(`create table baseline (id serial primary key, email text not null, first_name text,
      last_name text, site text, roles text, employee_number text, start_date text)`);
    await client.query('create unique index baseline_email on baseline ((lower(email) collate "C"))');
    const copy = client.query(
      copyFrom(
        'copy baseline (email, first_name, last_name, site, roles, employee_number, start_date) from stdin with (format csv, header true)',
      ),
    );
    await pipeline(fs.createReadStream(file), copy);
  } finally {
    await client.end();
  }
}

interface UsersCopy {
  /** Into a copy with every index of `users`. */
  allIndexes: number;
  /** Into a copy with its keys only (primary key, unique email, username and contact). */
  keysOnly: number;
  /** Then the list indexes created on that copy, as a bulk load that drops and rebuilds them would. */
  listIndexesAfter: number;
}

/**
 * With BENCH_PG_STATEMENTS=1 (the server preloads pg_stat_statements): `reset` before a phase,
 * `print` after it, the phase's costliest statements by the server's own time.
 */
const serverStatements = {
  enabled: (target: Target) => target.dialect === 'postgres' && Boolean(process.env.BENCH_PG_STATEMENTS),
  async reset(target: Target): Promise<void> {
    if (!this.enabled(target)) return;
    await onePg(target, async (client) => {
      await client.query('create extension if not exists pg_stat_statements');
      await client.query('select pg_stat_statements_reset()');
    });
  },
  async print(target: Target, phase: string): Promise<void> {
    if (!this.enabled(target)) return;
    await onePg(target, async (client) => {
      const top = await client.query<{ ms: number; calls: string; rows: string; query: string }>(
        `select total_exec_time as ms, calls, rows, query from pg_stat_statements
          where query not like '%pg_stat_statements%' order by total_exec_time desc limit 15`,
      );
      log(`${phase}: server time by statement`);
      for (const r of top.rows) {
        const text = r.query.replace(/\s+/g, ' ').slice(0, 150);
        log(
          `  ${r.ms.toFixed(0).padStart(7)} ms ${r.calls.padStart(7)}× ${r.rows.padStart(8)} rows  ${text}`,
        );
      }
    });
  },
};

async function onePg(target: Target, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Copies the imported users, in one `insert … select` run by the server, into empty tables shaped
 * like `users`: the cost of the table's own upkeep, as low as it goes, with no parsing, checks,
 * staging, roles or results.
 */
async function copyUsers(target: Target): Promise<UsersCopy> {
  const seconds = (start: number) => (performance.now() - start) / 1000;
  if (target.dialect === 'sqlite') {
    const sqlite = target.ctx.storage.sqlite!;
    const ddl = sqlite
      .prepare<[], { type: string; sql: string }>(
        "select type, sql from sqlite_master where tbl_name = 'users' and sql is not null",
      )
      .all();
    // The table's own unique columns come with it; the created indexes are the list indexes.
    const table = (copy: string) =>
      ddl.find((d) => d.type === 'table')!.sql.replace(/^create table "users"/i, `create table "${copy}"`);
    const indexes = (copy: string) =>
      ddl
        .filter((d) => d.type === 'index')
        .map((d) =>
          d.sql.replace(/^create index "([^"]+)" on "users"/i, `create index "${copy}_$1" on "${copy}"`),
        );
    sqlite.exec(table('users_all'));
    for (const index of indexes('users_all')) sqlite.exec(index);
    let start = performance.now();
    sqlite.exec('insert into users_all select * from users');
    const allIndexes = seconds(start);
    sqlite.exec(table('users_keys'));
    start = performance.now();
    sqlite.exec('insert into users_keys select * from users');
    const keysOnly = seconds(start);
    start = performance.now();
    for (const index of indexes('users_keys')) sqlite.exec(index);
    return { allIndexes, keysOnly, listIndexesAfter: seconds(start) };
  }
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    const run = async (text: string) => {
      const start = performance.now();
      await client.query(text);
      return seconds(start);
    };
    const { rows } = await client.query<{ def: string }>(
      `select pg_get_indexdef(i.indexrelid) as def from pg_index i
       where i.indrelid = 'users'::regclass and not i.indisunique and not i.indisprimary`,
    );
    await client.query('create table users_all (like users including all)');
    const allIndexes = await run('insert into users_all select * from users');
    await client.query(`create table users_keys (like users including defaults);
      alter table users_keys add primary key (id), add unique (email_key), add unique (username_key),
        add unique (contact_id)`);
    const keysOnly = await run('insert into users_keys select * from users');
    let listIndexesAfter = 0;
    for (const { def } of rows) {
      listIndexesAfter += await run(
        def.replace(/^CREATE INDEX (\S+) ON (\S+\.)?users /, 'CREATE INDEX keys_$1 ON users_keys '),
      );
    }
    return { allIndexes, keysOnly, listIndexesAfter };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const a = args();
  const env: BenchEnv = {
    options: { databases: [a.dialect], users: 0, runs: 0, explain: false, rows: [a.rows] },
    tempDir: () => a.dir,
    postgresUrl: async () => a.pg,
    log,
  };
  const fileBytes = fs.statSync(a.file).size;
  const peak = new PeakRss();
  const target = await openTarget(env, a.dialect, `import_${a.rows}`);
  try {
    const customerId = await createWorld(target.ctx, a.rows, 2 * fileBytes); // room for the update file too
    const ctx = target.ctx;
    ctx.jobs = {
      enqueue: async () => {},
      announceMail: async () => {},
      work: async () => {},
      idle: async () => {},
      stop: async () => {},
    };
    await WriteProbe.prepare(ctx);
    const probe = new WriteProbe(ctx);
    peak.take();

    const cpu = () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1e6;
    };
    let cpuStart = cpu();
    let start = performance.now();
    probe.start();
    const view = await createImport(ctx, BENCH_ADMIN, {
      target: 'users',
      fileName: `people-${a.rows}.csv`,
      filePath: a.file,
      options: { customerId, mode: 'upsert' },
    });
    const dryRunSeconds = (performance.now() - start) / 1000;
    const writeLatencyDryRun = probe.stop();
    const dryRunCpuSeconds = cpu() - cpuStart;
    const peakRssDryRun = peak.take();
    if (view.status !== 'validated' || view.rows.valid !== a.rows) {
      throw new Error(
        `dry run: ${view.status}, ${JSON.stringify(view.rows)} ${JSON.stringify(view.planned)}`,
      );
    }
    log(
      `dry run ${dryRunSeconds.toFixed(2)} s (CPU ${dryRunCpuSeconds.toFixed(2)} s); ` +
        `other writes p99 ${writeLatencyDryRun.p99.toFixed(0)} ms`,
    );

    const sites = Object.fromEntries(['HQ', ...SITES].map((s) => [s, 'QQ']));
    cpuStart = cpu();
    start = performance.now();
    const broken = await applyFix(ctx, BENCH_ADMIN, view.id, {
      kind: 'valueMap',
      column: 'Site',
      map: sites,
    });
    const breakSeconds = (performance.now() - start) / 1000;
    const breakCpu = cpu() - cpuStart;
    cpuStart = cpu();
    start = performance.now();
    const fixed = await applyFix(ctx, BENCH_ADMIN, view.id, {
      kind: 'valueMap',
      column: 'Site',
      map: { QQ: 'HQ' },
    });
    const fixSeconds = (performance.now() - start) / 1000;
    const fixCpu = cpu() - cpuStart;
    if (broken.import.rows.invalid === 0 || fixed.import.rows.valid !== a.rows) {
      throw new Error(
        `value map: ${JSON.stringify(broken.import.rows)} then ${JSON.stringify(fixed.import.rows)}`,
      );
    }
    log(
      `value map: ${breakSeconds.toFixed(2)} s, CPU ${breakCpu.toFixed(2)} s (rows naming a site invalid); ` +
        `${fixSeconds.toFixed(2)} s, CPU ${fixCpu.toFixed(2)} s (all valid again)`,
    );

    await serverStatements.reset(target);
    cpuStart = cpu();
    start = performance.now();
    // BENCH_NO_PROBE=1: the commit alone, without the other writes (which end its batches early).
    const probing = !process.env.BENCH_NO_PROBE;
    if (probing) probe.start();
    await requestCommit(ctx, BENCH_ADMIN, view.id);
    await runCommit(ctx, view.id);
    const commitSeconds = (performance.now() - start) / 1000;
    const writeLatencyCommit = probing ? probe.stop() : { count: 0, p50: 0, p99: 0, max: 0 };
    const commitCpuSeconds = cpu() - cpuStart;
    await serverStatements.print(target, 'commit');
    const peakRssCommit = peak.take();
    const done = await getImport(ctx, BENCH_ADMIN, view.id);
    const created = done.counts.created ?? 0;
    if (done.status !== 'completed' || created !== a.rows) {
      throw new Error(`commit: ${done.status}, ${JSON.stringify(done.counts)}`);
    }
    log(
      `commit ${commitSeconds.toFixed(2)} s (CPU ${commitCpuSeconds.toFixed(2)} s); ` +
        `other writes p99 ${writeLatencyCommit.p99.toFixed(0)} ms`,
    );

    // The same size again as updates of every user just created, each with its diff: a dry run.
    const updateFile = `${a.dir}/people-${a.rows}-update.csv`;
    await writeUpdateCsv(updateFile, a.rows);
    cpuStart = cpu();
    start = performance.now();
    const update = await createImport(ctx, BENCH_ADMIN, {
      target: 'users',
      fileName: `people-${a.rows}-update.csv`,
      filePath: updateFile,
      options: { customerId, mode: 'update' },
    });
    const updateDryRunSeconds = (performance.now() - start) / 1000;
    const updateDryRunCpuSeconds = cpu() - cpuStart;
    fs.rmSync(updateFile, { force: true });
    if (update.status !== 'validated' || (update.planned.update ?? 0) !== a.rows) {
      throw new Error(
        `update dry run: ${update.status}, ${JSON.stringify(update.rows)} ${JSON.stringify(update.planned)}`,
      );
    }
    log(
      `update dry run ${updateDryRunSeconds.toFixed(2)} s (CPU ${updateDryRunCpuSeconds.toFixed(2)} s), ` +
        `${(updateDryRunSeconds / dryRunSeconds).toFixed(2)}× the insert dry run`,
    );
    peak.stop();

    start = performance.now();
    if (a.dialect === 'sqlite') await sqliteBaseline(target, a.file);
    else await postgresBaseline(target, a.file);
    const baselineSeconds = (performance.now() - start) / 1000;
    log(`baseline ${baselineSeconds.toFixed(2)} s`);
    const usersCopy = await copyUsers(target);
    log(
      `users copied: ${usersCopy.allIndexes.toFixed(2)} s; keys only ${usersCopy.keysOnly.toFixed(2)} s, ` +
        `then list indexes ${usersCopy.listIndexesAfter.toFixed(2)} s`,
    );

    const result: ImportRunResult = {
      dialect: a.dialect,
      rows: a.rows,
      fileBytes,
      dryRunSeconds,
      commitSeconds,
      valueMapSeconds: [breakSeconds, fixSeconds],
      valueMapCpuSeconds: [breakCpu, fixCpu],
      dryRunCpuSeconds,
      commitCpuSeconds,
      peakRssDryRun,
      peakRssCommit,
      peakRss: Math.max(peakRssDryRun, peakRssCommit),
      writeLatencyDryRun,
      writeLatencyCommit,
      baselineSeconds,
      baselineMethod:
        a.dialect === 'sqlite'
          ? 'papaparse stream + prepared INSERT, one transaction'
          : 'COPY … FROM STDIN (csv), pg-copy-streams',
      usersCopy,
      created,
      updateDryRunSeconds,
      updateDryRunCpuSeconds,
      updatePlanned: update.planned,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await target.close();
  }
}

// The header is fixed by import-data.ts; the baseline's column list follows it.
if (HEADER.length !== 7) throw new Error('baseline columns out of step with the file header');

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
