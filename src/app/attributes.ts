import { type Actor, authorize } from '../core/access/policy.js';
import { ATTRIBUTE_KEY, type AttributeType } from '../core/domain/attributes.js';
import type { AttributeDefinitionView } from '../core/domain/entities.js';
import type { AttributeEntityType } from '../core/domain/records.js';
import { normalizeText } from '../core/domain/text.js';
import { errors } from '../core/errors.js';
import { Problems } from '../core/problems.js';
import { isUniqueViolation } from '../storage/errors.js';
import type { AttributeDefinitionValues } from '../storage/queries/attributes.js';
import * as q from '../storage/queries/attributes.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';

const notFound = (id: number) => errors.notFound('attribute', id);

/** Every definition, or those of one entity type (`user` or a record type). */
export async function listAttributes(
  ctx: AppContext,
  actor: Actor,
  entityType?: AttributeEntityType,
): Promise<AttributeDefinitionView[]> {
  authorize(actor, 'directory.read');
  return q.listAttributeDefinitions(ctx.db, entityType ?? 'all');
}

export async function getAttribute(
  ctx: AppContext,
  actor: Actor,
  id: number,
): Promise<AttributeDefinitionView> {
  authorize(actor, 'directory.read');
  const def = await q.findAttributeDefinition(ctx.db, id);
  if (!def) throw notFound(id);
  return def;
}

function readOptions(type: AttributeType, options: string[] | undefined, problems: Problems): string[] {
  const cleaned = [...new Set((options ?? []).map(normalizeText).filter((o) => o !== ''))];
  if (type === 'enum' && cleaned.length === 0) {
    problems.add(
      'options',
      'attribute.options_required',
      'A list attribute needs at least one allowed value.',
    );
  }
  if (type !== 'enum' && cleaned.length > 0) {
    problems.add(
      'options',
      'attribute.options_not_allowed',
      'Only list (enum) attributes take allowed values.',
    );
  }
  return cleaned;
}

export interface NewAttribute {
  key: string;
  label: string;
  type: AttributeType;
  options?: string[];
  required?: boolean;
  description?: string;
  /** What it extends: portal users (the default) or a record type. */
  entityType?: AttributeEntityType;
}

/** A new attribute's definition as stored, or every problem of it at once. */
export function checkNewAttribute(input: NewAttribute): AttributeDefinitionValues {
  const problems = new Problems();
  if (!ATTRIBUTE_KEY.test(input.key)) {
    problems.add(
      'key',
      'attribute.key_invalid',
      'Use lower-case letters, digits and underscores, starting with a letter (at most 63).',
    );
  }
  const label = normalizeText(input.label);
  if (label === '') problems.add('label', 'attribute.label_required', 'An attribute needs a label.');
  const options = readOptions(input.type, input.options, problems);
  problems.throwIfAny();
  return {
    key: input.key,
    label,
    type: input.type,
    options,
    required: input.required ?? false,
    description: normalizeText(input.description ?? ''),
    entityType: input.entityType ?? 'user',
  };
}

export const attributeKeyTaken = (key: string) =>
  errors.field('attribute.key_taken', 'key', `An attribute "${key}" exists.`);

/** Writes an attribute definition and its audit entry in the caller's transaction. */
export async function writeAttribute(
  ctx: AppContext,
  db: AppContext['db'],
  actor: Actor,
  values: AttributeDefinitionValues,
): Promise<AttributeDefinitionView> {
  const def = await q.insertAttributeDefinition(db, values, ctx.now().toISOString());
  await audit(ctx, db, actor, {
    action: 'attribute.create',
    entityType: 'attribute',
    entityId: def.id,
    details: { key: def.key, type: def.type, entityType: def.entityType },
  });
  return def;
}

export async function createAttribute(
  ctx: AppContext,
  actor: Actor,
  input: NewAttribute,
): Promise<AttributeDefinitionView> {
  authorize(actor, 'config.manage');
  const values = checkNewAttribute(input);
  try {
    return await inTransaction(ctx, (db) => writeAttribute(ctx, db, actor, values));
  } catch (e) {
    if (isUniqueViolation(e)) throw attributeKeyTaken(input.key);
    throw e;
  }
}

export async function updateAttribute(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: { label?: string; options?: string[]; required?: boolean; description?: string },
): Promise<AttributeDefinitionView> {
  authorize(actor, 'config.manage');
  const existing = await q.findAttributeDefinition(ctx.db, id);
  if (!existing) throw notFound(id);
  const problems = new Problems();
  const label = input.label === undefined ? undefined : normalizeText(input.label);
  if (label === '') problems.add('label', 'attribute.label_required', 'An attribute needs a label.');
  const options =
    input.options === undefined ? undefined : readOptions(existing.type, input.options, problems);
  problems.throwIfAny();
  return inTransaction(ctx, async (db) => {
    const def = await q.updateAttributeDefinition(db, id, {
      ...(label !== undefined && { label }),
      ...(options !== undefined && { options }),
      ...(input.required !== undefined && { required: input.required }),
      ...(input.description !== undefined && { description: normalizeText(input.description) }),
    });
    await audit(ctx, db, actor, { action: 'attribute.update', entityType: 'attribute', entityId: id });
    return def;
  });
}

export async function deleteAttribute(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'config.manage');
  if (!(await q.findAttributeDefinition(ctx.db, id))) throw notFound(id);
  await inTransaction(ctx, async (db) => {
    await q.deleteAttributeDefinition(db, id);
    await audit(ctx, db, actor, { action: 'attribute.delete', entityType: 'attribute', entityId: id });
  });
}
