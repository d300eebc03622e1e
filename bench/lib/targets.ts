import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { type AppContext, createContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config.js';
import { type Dialect, openStorage } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import type { BenchEnv } from './harness.js';

/** A fresh, migrated database of one dialect, as the service would open it. */
export interface Target {
  dialect: Dialect;
  ctx: AppContext;
  /** SQLite: the database file; PostgreSQL: the database URL. */
  location: string;
  close(): Promise<void>;
}

/**
 * SQLite: a new file in the bench's temp folder. PostgreSQL: a new database on the bench's server.
 * `close` removes it either way.
 */
export async function openTarget(env: BenchEnv, dialect: Dialect, name: string): Promise<Target> {
  if (dialect === 'postgres') {
    const serverUrl = await env.postgresUrl();
    const dbName = `bench_${name.replace(/[^a-z0-9_]/gi, '_')}`;
    await adminQuery(serverUrl, `drop database if exists ${dbName} with (force)`);
    await adminQuery(serverUrl, `create database ${dbName}`);
    const url = serverUrl.replace(/\/[^/]*$/, `/${dbName}`);
    const storage = openStorage({ databaseUrl: url, sqlitePath: '' });
    await migrateToLatest(storage.db);
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', DATA_DIR: env.tempDir() });
    return {
      dialect,
      ctx: createContext(storage, config),
      location: url,
      async close() {
        await storage.close();
        await adminQuery(serverUrl, `drop database if exists ${dbName} with (force)`);
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(env.tempDir(), `${name}-`));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const storage = openStorage({ databaseUrl: null, sqlitePath: config.sqlitePath });
  await migrateToLatest(storage.db);
  return {
    dialect,
    ctx: createContext(storage, config),
    location: config.sqlitePath,
    async close() {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Size of the database on disk, for the report. */
export async function databaseBytes(target: Target): Promise<number> {
  if (target.dialect === 'sqlite') {
    const sqlite = target.ctx.storage.sqlite!;
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    return fs.statSync(target.location).size;
  }
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>('select pg_database_size(current_database()) as n');
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
