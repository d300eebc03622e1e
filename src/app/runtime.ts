import type { Config } from '../config.js';
import { openStorage } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { type AppContext, createContext, type Logger } from './context.js';

/** Opens storage for the configuration, applies pending migrations, and returns the context. */
export async function startApp(config: Config, log?: Logger): Promise<AppContext> {
  const storage = openStorage({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  try {
    await migrateToLatest(storage.db);
  } catch (e) {
    await storage.close();
    throw e;
  }
  return createContext(storage, config, log);
}
