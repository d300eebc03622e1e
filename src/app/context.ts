import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Db, Storage } from '../storage/database.js';
import { builtInTargets, type TargetRegistry } from './imports/registry.js';

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
  /** Background jobs; set by the runtime that starts workers. */
  jobs: JobQueue;
  /** Progress of commits running in this process, for live views between saved checkpoints. */
  live: Map<number, { done: number; at: number }>;
  /** This process, as a job owner: host, pid and a random part. */
  workerId: string;
  /** Aborted when the process shuts down: long jobs stop at their next checkpoint. */
  shutdown: AbortController;
  /**
   * The mail worker of this process, if it runs one: `idle` says it waits with nothing to send now
   * (always, without a worker). It is woken only by `announceQueuedMail` (app/mail/announce.ts).
   */
  mail: { idle(): boolean };
  /** The import targets this process offers: the built-in ones, and any a test registers. */
  targets: TargetRegistry;
}

/** Until a runtime installs a queue, enqueued work is refused loudly rather than lost quietly. */
const noJobs: JobQueue = {
  enqueue: async (kind) => {
    throw new Error(`No job queue is running to take ${kind}.`);
  },
  idle: async () => {},
  stop: async () => {},
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function createContext(storage: Storage, config: Config, log: Logger = silentLogger): AppContext {
  return {
    storage,
    db: storage.db,
    config,
    now: () => new Date(),
    log,
    jobs: noJobs,
    live: new Map(),
    workerId: `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    shutdown: new AbortController(),
    mail: { idle: () => true },
    targets: builtInTargets(),
  };
}
