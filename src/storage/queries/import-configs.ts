import type { Selectable } from 'kysely';
import type { Mapping } from '../../core/import/mapping.js';
import type { OptionsInput } from '../../core/import/target.js';
import type { Db } from '../database.js';
import type { ImportConfigsTable } from '../schema.js';
import { configOptions, mappingByHeader, readJson } from '../stored-json.js';

export interface ImportConfig {
  id: number;
  name: string;
  target: string;
  /** Field key by column header: applies to any file with those headers, in any order. */
  mapping: Record<string, string | null>;
  /** Never a customer: that is chosen, or forced by scope, at each import. */
  options: OptionsInput;
  /** The customer it belongs to (the scope of the admin who saved it); null: shared by every customer. */
  customerId: number | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const toConfig = (r: Selectable<ImportConfigsTable>): ImportConfig => ({
  id: r.id,
  name: r.name,
  target: r.target,
  mapping: readJson(r.mapping, mappingByHeader, `mapping of import configuration ${r.id}`),
  options: readJson(r.options, configOptions, `options of import configuration ${r.id}`),
  customerId: r.customer_id,
  createdBy: r.created_by_label,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Every configuration (`scope` null), or those of one customer plus the shared ones. */
export async function listConfigs(db: Db, scope: number | null): Promise<ImportConfig[]> {
  let q = db.selectFrom('import_configs').selectAll();
  if (scope !== null)
    q = q.where((eb) => eb.or([eb('customer_id', '=', scope), eb('customer_id', 'is', null)]));
  return (await q.orderBy('name_key').orderBy('id').execute()).map(toConfig);
}

export async function findConfig(db: Db, id: number): Promise<ImportConfig | undefined> {
  const r = await db.selectFrom('import_configs').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toConfig(r);
}

/** The configurations with this name (one per scope at most), shared ones first. */
export async function findConfigsByName(
  db: Db,
  nameKey: string,
  scope: number | null,
): Promise<ImportConfig[]> {
  let q = db.selectFrom('import_configs').selectAll().where('name_key', '=', nameKey);
  if (scope !== null)
    q = q.where((eb) => eb.or([eb('customer_id', '=', scope), eb('customer_id', 'is', null)]));
  const rows = await q.orderBy('customer_id', (ob) => ob.asc().nullsFirst()).execute();
  return rows.map(toConfig);
}

export interface ConfigValues {
  name: string;
  nameKey: string;
  target: string;
  mapping: Record<string, string | null>;
  options: OptionsInput;
}

export async function insertConfig(
  db: Db,
  v: ConfigValues,
  customerId: number | null,
  by: string,
  at: string,
): Promise<ImportConfig> {
  const r = await db
    .insertInto('import_configs')
    .values({
      customer_id: customerId,
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
