import type { Selectable } from 'kysely';
import type { Mapping } from '../../core/import/mapping.js';
import type { OptionsInput } from '../../core/import/target.js';
import type { Db } from '../database.js';
import type { ImportConfigsTable } from '../schema.js';

export interface ImportConfig {
  id: number;
  name: string;
  target: string;
  /** Field key by column header: applies to any file with those headers, in any order. */
  mapping: Record<string, string | null>;
  /** Never a customer: that is chosen, or forced by scope, at each import. */
  options: OptionsInput;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const toConfig = (r: Selectable<ImportConfigsTable>): ImportConfig => ({
  id: r.id,
  name: r.name,
  target: r.target,
  mapping: JSON.parse(r.mapping) as Record<string, string | null>,
  options: JSON.parse(r.options) as OptionsInput,
  createdBy: r.created_by_label,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function listConfigs(db: Db): Promise<ImportConfig[]> {
  return (await db.selectFrom('import_configs').selectAll().orderBy('name_key').execute()).map(toConfig);
}

export async function findConfig(db: Db, id: number): Promise<ImportConfig | undefined> {
  const r = await db.selectFrom('import_configs').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toConfig(r);
}

export async function findConfigByName(db: Db, nameKey: string): Promise<ImportConfig | undefined> {
  const r = await db
    .selectFrom('import_configs')
    .selectAll()
    .where('name_key', '=', nameKey)
    .executeTakeFirst();
  return r && toConfig(r);
}

export interface ConfigValues {
  name: string;
  nameKey: string;
  target: string;
  mapping: Record<string, string | null>;
  options: OptionsInput;
}

export async function insertConfig(db: Db, v: ConfigValues, by: string, at: string): Promise<ImportConfig> {
  const r = await db
    .insertInto('import_configs')
    .values({
      name: v.name,
      name_key: v.nameKey,
      target: v.target,
      mapping: JSON.stringify(v.mapping),
      options: JSON.stringify(v.options),
      created_by_label: by,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConfig(r);
}

export async function updateConfig(db: Db, id: number, v: ConfigValues, at: string): Promise<ImportConfig> {
  const r = await db
    .updateTable('import_configs')
    .set({
      name: v.name,
      name_key: v.nameKey,
      target: v.target,
      mapping: JSON.stringify(v.mapping),
      options: JSON.stringify(v.options),
      updated_at: at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConfig(r);
}

export async function deleteConfig(db: Db, id: number): Promise<void> {
  await db.deleteFrom('import_configs').where('id', '=', id).execute();
}

export type { Mapping };
