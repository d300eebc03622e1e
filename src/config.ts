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
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Roster <roster@localhost>'),
  MAIL_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  MAIL_WARMUP_MINUTES: z.coerce.number().min(0).max(10_080).default(0),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  MAIL_RETRY_SECONDS: z.coerce.number().min(0.01).max(86_400).default(30),
  // Unset: 2 s on the embedded default, 60 s with DATABASE_URL (the job queue wakes workers there).
  MAIL_POLL_SECONDS: z.coerce.number().min(0.01).max(3600).optional(),
  INVITE_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  INVITE_REMINDER_DAYS: z.coerce.number().int().min(0).max(365).default(0),
  IMPORT_READ_TIMEOUT_SECONDS: z.coerce.number().min(1).max(86_400).default(120),
  IMPORT_READ_MEMORY_MB: z.coerce.number().int().min(64).max(16_384).default(256),
  IMPORT_MAX_CONCURRENT_READS: z.coerce.number().int().min(1).max(64).default(2),
  IMPORT_MAX_STAGED_MB: z.coerce.number().min(1).max(65_536).default(256),
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
  mail: MailConfig;
  imports: ImportReadConfig;
}

/** How uploaded files are read (the reader's own limits are in core/import/read/limits.ts). */
export interface ImportReadConfig {
  /** From the start of reading an upload to its last row; past it the read stops and the upload fails. */
  readTimeoutMs: number;
  /** Heap of the worker thread that reads one upload, in MB: a file that needs more fails, the server stays up. */
  readMemoryMb: number;
  /** Uploads this process reads at once; more are answered 503 `import.server_busy`. */
  maxConcurrentReads: number;
  /** Bytes of cell text (UTF-8) one import stages at most. */
  maxStagedBytes: number;
}

export interface MailConfig {
  /** smtp:// or smtps:// URL of the relay; null: the embedded default's local mailbox. */
  smtpUrl: string | null;
  from: string;
  /** Emails per minute when the settings do not say otherwise (settings.mailRatePerMinute wins). */
  ratePerMinute: number;
  /** Minutes over which sending ramps up from a tenth of the rate after a quiet spell; 0: off. */
  warmupMinutes: number;
  /** Tries of one email before a temporary failure counts as final. */
  maxAttempts: number;
  /** Back-off before the second try; doubled for each later one (at most an hour). */
  retryBaseMs: number;
  /**
   * How often an idle worker looks for due email by itself. Mail queued in the same process, or
   * (with DATABASE_URL) announced through the job queue, wakes it at once; the look catches the rest
   * (a claim left by a dead worker, a lost wake-up).
   */
  pollMs: number;
  /** Days an invitation link stays valid when the settings do not say otherwise (settings.inviteTtlDays wins). */
  inviteTtlDays: number;
  /** Days after an invitation that its one reminder goes out; 0: none (settings.inviteReminderDays wins). */
  inviteReminderDays: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL && e.DATABASE_URL !== '' ? e.DATABASE_URL : null;
  const bootstrapAdmin =
    e.ROSTER_ADMIN_EMAIL && e.ROSTER_ADMIN_PASSWORD
      ? { email: e.ROSTER_ADMIN_EMAIL, password: e.ROSTER_ADMIN_PASSWORD }
      : null;
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databaseUrl,
    sqlitePath: path.join(dataDir, 'roster.db'),
    publicUrl: e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
    bootstrapAdmin,
    trustProxy: e.TRUST_PROXY,
    jobLeaseMs: e.JOB_LEASE_SECONDS * 1000,
    runJobs: e.RUN_JOBS,
    mail: {
      smtpUrl: e.SMTP_URL && e.SMTP_URL !== '' ? e.SMTP_URL : null,
      from: e.MAIL_FROM,
      ratePerMinute: e.MAIL_RATE_PER_MINUTE,
      warmupMinutes: e.MAIL_WARMUP_MINUTES,
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
      retryBaseMs: Math.round(e.MAIL_RETRY_SECONDS * 1000),
      pollMs: Math.round((e.MAIL_POLL_SECONDS ?? (databaseUrl ? 60 : 2)) * 1000),
      inviteTtlDays: e.INVITE_TTL_DAYS,
      inviteReminderDays: e.INVITE_REMINDER_DAYS,
    },
    imports: {
      readTimeoutMs: Math.round(e.IMPORT_READ_TIMEOUT_SECONDS * 1000),
      readMemoryMb: e.IMPORT_READ_MEMORY_MB,
      maxConcurrentReads: e.IMPORT_MAX_CONCURRENT_READS,
      maxStagedBytes: Math.round(e.IMPORT_MAX_STAGED_MB * 1024 * 1024),
    },
  };
}
