import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type AppContext, createContext, type Logger } from '../../src/app/context.js';
import { loadConfig } from '../../src/config.js';
import { type Dialect, openStorage } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

export const dialect: Dialect = process.env.ROSTER_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDb {
  ctx: AppContext;
  dialect: Dialect;
  /** Where a second process (a CLI run, a worker) can reach the same database. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a SQLite file in a temporary folder, or a new
 * database on the PostgreSQL server that `npm test` started. Never mocked.
 */
export interface TestDbOptions {
  /** More environment for the configuration (SMTP_URL, MAIL_* …). */
  env?: Record<string, string>;
  /** The use cases' logger (tests that read the log). */
  log?: Logger;
}

export async function openTestDb(options: TestDbOptions = {}): Promise<TestDb> {
  const extra = options.env ?? {};
  if (dialect === 'postgres') {
    const serverUrl = process.env.ROSTER_TEST_PG_URL;
    if (!serverUrl) {
      throw new Error(
        'ROSTER_TEST_PG_URL is not set: run the suite with `npm test`, which starts PostgreSQL.',
      );
    }
    const name = `roster_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', ...extra });
    const storage = openStorage({ databaseUrl: url, sqlitePath: '' });
    await migrateToLatest(storage.db);
    return {
      ctx: createContext(storage, config, options.log),
      dialect,
      env: { DATABASE_URL: url },
      async close() {
        await storage.close();
        const c = new pg.Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-test-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ...extra });
  const storage = openStorage({ databaseUrl: null, sqlitePath: config.sqlitePath });
  await migrateToLatest(storage.db);
  return {
    ctx: createContext(storage, config, options.log),
    dialect,
    env: { DATA_DIR: dir },
    async close() {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
