import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Roster reads from the environment, with its default. The README's configuration
 * table is written from this list; keep them together.
 */
const Env = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  ROSTER_ADMIN_EMAIL: z.string().optional(),
  ROSTER_ADMIN_PASSWORD: z.string().optional(),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  RUN_JOBS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Set: PostgreSQL. Unset: SQLite at `<dataDir>/roster.db`. */
  databaseUrl: string | null;
  sqlitePath: string;
  publicUrl: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  sessionTtlMs: number;
  bootstrapAdmin: { email: string; password: string } | null;
  trustProxy: boolean;
  /** How long a worker's claim on a job holds without renewal: after a crash, another takes over then. */
  jobLeaseMs: number;
  /** Whether `roster serve` also runs background jobs (PostgreSQL only: the embedded default always does). */
  runJobs: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const bootstrapAdmin =
    e.ROSTER_ADMIN_EMAIL && e.ROSTER_ADMIN_PASSWORD
      ? { email: e.ROSTER_ADMIN_EMAIL, password: e.ROSTER_ADMIN_PASSWORD }
      : null;
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL && e.DATABASE_URL !== '' ? e.DATABASE_URL : null,
    sqlitePath: path.join(dataDir, 'roster.db'),
    publicUrl: e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
    bootstrapAdmin,
    trustProxy: e.TRUST_PROXY,
    jobLeaseMs: e.JOB_LEASE_SECONDS * 1000,
    runJobs: e.RUN_JOBS,
  };
}
