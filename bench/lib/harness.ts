import type { Dialect } from '../../src/storage/database.js';

/** What `npm run bench` was asked for; every benchmark reads the parts that concern it. */
export interface BenchOptions {
  /** Databases to run on, in order. */
  databases: Dialect[];
  /** Users to seed (1,000,000 unless `--users=N`). */
  users: number;
  /** Timed runs per measured case (after warm-up). */
  runs: number;
  /** Print the query plans of every case. */
  explain: boolean;
  /** File sizes (data rows) the import benchmark runs (10,000, 100,000 and 1,000,000 unless `--rows=…`). */
  rows: number[];
  /** Users of the import that queues invitations in the mail benchmark (100,000 unless `--invite-rows=N`). */
  inviteRows?: number;
  /** Emails the mail benchmark sends each way (2,000 unless `--sends=N`). */
  sends?: number;
}

/** Shared resources, created on first use and released by run.ts at the end, even on error. */
export interface BenchEnv {
  options: BenchOptions;
  /** A scratch folder under the OS temp folder, removed at the end. */
  tempDir(): string;
  /** The URL of a private PostgreSQL server, started on first call, stopped at the end. */
  postgresUrl(): Promise<string>;
  log(line?: string): void;
}

/** One benchmark: run.ts runs each whose name matches the filter given on the command line. */
export interface Benchmark {
  name: string;
  description: string;
  run(env: BenchEnv): Promise<void>;
}
