import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config.js';
import { pgBossQueue } from '../jobs/pg-boss-queue.js';
import { inProcessQueue, type JobQueue } from '../jobs/queue.js';
import type { Db, Storage } from '../storage/database.js';
import { builtInTargets, type TargetRegistry } from './imports/registry.js';
import { type MailWorker, mailWorker } from './mail/worker.js';

/** What every use case is given: storage, configuration, a clock and a logger. No HTTP. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface AppContext {
  storage: Storage;
  db: Db;
  config: Config;
  now: () => Date;
  log: Logger;
  /**
   * Background jobs: sent from anywhere; taken in this process once `startWorkers` (app/workers.ts)
   * starts its consumers. In process on the embedded default, pg-boss with DATABASE_URL.
   */
  jobs: JobQueue;
  /** Progress of commits running in this process, for live views between saved checkpoints. */
  live: Map<number, { done: number; at: number }>;
  /** This process, as a job owner: host, pid and a random part. */
  workerId: string;
  /** Aborted when the process shuts down: long jobs stop at their next checkpoint. */
  shutdown: AbortController;
  /**
   * This process's mail worker, started by `startWorkers` in a process that runs jobs: `idle` says
   * it waits with nothing to send now (always, when not started). It is woken only by the job
   * queue's mail wake-ups (`announceQueuedMail`, app/mail/announce.ts).
   */
  mail: MailWorker;
  /** The import targets this process offers: the built-in ones, and any a test registers. */
  targets: TargetRegistry;
}

/** The kinds of job there are (their handlers: app/workers.ts). */
export const JOB_KINDS = ['import.commit', 'import.rollback', 'users.bulk'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function createContext(storage: Storage, config: Config, log: Logger = silentLogger): AppContext {
  const jobs =
    storage.dialect === 'postgres' && config.databaseUrl
      ? pgBossQueue(config.databaseUrl, JOB_KINDS, (err) => log.error({ err }, 'job queue error'))
      : inProcessQueue();
  const ctx: AppContext = {
    storage,
    db: storage.db,
    config,
    now: () => new Date(),
    log,
    jobs,
    live: new Map(),
    workerId: `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    shutdown: new AbortController(),
    // Made below: the worker reads this context.
    mail: null as unknown as MailWorker,
    targets: builtInTargets(),
  };
  ctx.mail = mailWorker(ctx);
  return ctx;
}
