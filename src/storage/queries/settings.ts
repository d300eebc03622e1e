import { z } from 'zod';
import type { Db } from '../database.js';
import { readJson } from '../stored-json.js';

export async function readSettingValues(db: Db): Promise<Record<string, unknown>> {
  const rows = await db.selectFrom('settings').selectAll().execute();
  return Object.fromEntries(rows.map((r) => [r.key, readJson(r.value, z.unknown(), `setting ${r.key}`)]));
}

export async function writeSettingValues(db: Db, values: Record<string, unknown>, at: string): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: at }))
      .execute();
  }
}
