import type { Selectable } from 'kysely';
import type { AttributeType } from '../../core/domain/attributes.js';
import type { AttributeDefinitionView } from '../../core/domain/entities.js';
import type { AttributeEntityType } from '../../core/domain/records.js';
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
  entityType: r.entity_type as AttributeEntityType,
  createdAt: r.created_at,
});

export interface AttributeDefinitionValues {
  key: string;
  label: string;
  type: AttributeType;
  options: string[];
  required: boolean;
  description: string;
  entityType: AttributeEntityType;
}

/** The definitions of one entity type (the users' unless said), or of all with `all`. */
export async function listAttributeDefinitions(
  db: Db,
  entityType: AttributeEntityType | 'all' = 'user',
): Promise<AttributeDefinitionView[]> {
  let q = db.selectFrom('attribute_definitions').selectAll();
  if (entityType !== 'all') q = q.where('entity_type', '=', entityType);
  return (await q.orderBy('entity_type').orderBy('key').execute()).map(toDefinition);
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
      entity_type: v.entityType,
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDefinition(r);
}

export async function updateAttributeDefinition(
  db: Db,
  id: number,
  v: Partial<Omit<AttributeDefinitionValues, 'key' | 'type' | 'entityType'>>,
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
