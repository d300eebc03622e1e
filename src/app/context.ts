import type { Config } from '../config.js';
import type { Db, Storage } from '../storage/database.js';

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
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function createContext(storage: Storage, config: Config, log: Logger = silentLogger): AppContext {
  return { storage, db: storage.db, config, now: () => new Date(), log };
}

export const iso = (ctx: AppContext): string => ctx.now().toISOString();
