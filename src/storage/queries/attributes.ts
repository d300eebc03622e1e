import type { Selectable } from 'kysely';
import type { AttributeType } from '../../core/domain/attributes.js';
import type { AttributeDefinitionView } from '../../core/domain/entities.js';
import type { Db } from '../database.js';
import type { AttributeDefinitionsTable } from '../schema.js';
import { readStringList } from '../stored-json.js';

const toDefinition = (r: Selectable<AttributeDefinitionsTable>): AttributeDefinitionView => ({
  id: r.id,
  key: r.key,
  label: r.label,
  type: r.type as AttributeType,
  options: readStringList(r.options, `options of attribute ${r.key}`),
  required: r.required === 1,
  description: r.description,
  createdAt: r.created_at,
});

export interface AttributeDefinitionValues {
  key: string;
  label: string;
  type: AttributeType;
  options: string[];
  required: boolean;
  description: string;
}

export async function listAttributeDefinitions(db: Db): Promise<AttributeDefinitionView[]> {
  return (await db.selectFrom('attribute_definitions').selectAll().orderBy('key').execute()).map(
    toDefinition,
  );
}

export async function findAttributeDefinition(
  db: Db,
  id: number,
): Promise<AttributeDefinitionView | undefined> {
  const r = await db.selectFrom('attribute_definitions').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toDefinition(r);
}

export async function insertAttributeDefinition(
  db: Db,
  v: AttributeDefinitionValues,
  at: string,
): Promise<AttributeDefinitionView> {
  const r = await db
    .insertInto('attribute_definitions')
    .values({
      key: v.key,
      label: v.label,
      type: v.type,
      options: JSON.stringify(v.options),
      required: v.required ? 1 : 0,
      description: v.description,
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDefinition(r);
}

export async function updateAttributeDefinition(
  db: Db,
  id: number,
  v: Partial<Omit<AttributeDefinitionValues, 'key' | 'type'>>,
): Promise<AttributeDefinitionView> {
  const r = await db
    .updateTable('attribute_definitions')
    .set({
      ...(v.label !== undefined && { label: v.label }),
      ...(v.options !== undefined && { options: JSON.stringify(v.options) }),
      ...(v.required !== undefined && { required: v.required ? 1 : 0 }),
      ...(v.description !== undefined && { description: v.description }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDefinition(r);
}

export async function deleteAttributeDefinition(db: Db, id: number): Promise<void> {
  await db.deleteFrom('attribute_definitions').where('id', '=', id).execute();
}
