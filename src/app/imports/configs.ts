import { type Actor, authorize } from '../../core/access/policy.js';
import { foldKey, normalizeText } from '../../core/domain/text.js';
import { errors } from '../../core/errors.js';
import type { Mapping } from '../../core/import/mapping.js';
import type { ImportOptions } from '../../core/import/target.js';
import { isUniqueViolation } from '../../storage/errors.js';
import * as q from '../../storage/queries/import-configs.js';
import type { AppContext } from '../context.js';
import { settingDefaults } from '../settings.js';
import { audit, inTransaction } from '../shared.js';
import { bindingFor } from './registry.js';

/**
 * Named import configurations: a mapping (by column header, so it fits any file with those
 * headers) and options, saved for reuse, exported and imported as JSON. Options never carry a
 * customer: that is chosen, or forced by scope, at each import.
 */
export interface ConfigInput {
  name: string;
  target: string;
  mapping: Record<string, string | null>;
  options: Partial<ImportOptions>;
}

const notFound = (id: number) => errors.notFound('import_config', id);

export async function listConfigs(ctx: AppContext, actor: Actor): Promise<q.ImportConfig[]> {
  authorize(actor, 'imports.read');
  return q.listConfigs(ctx.db);
}

export async function getConfig(ctx: AppContext, actor: Actor, id: number): Promise<q.ImportConfig> {
  authorize(actor, 'imports.read');
  const found = await q.findConfig(ctx.db, id);
  if (!found) throw notFound(id);
  return found;
}

export async function findConfigNamed(ctx: AppContext, actor: Actor, name: string): Promise<q.ImportConfig> {
  authorize(actor, 'imports.read');
  const found = await q.findConfigByName(ctx.db, foldKey(name));
  if (!found) throw errors.notFound('import_config');
  return found;
}

async function readInput(ctx: AppContext, input: ConfigInput): Promise<q.ConfigValues> {
  const name = normalizeText(input.name);
  if (name === '')
    throw errors.field('request.invalid', 'name', 'A configuration needs a name.', {
      problem: 'name.required',
    });
  const binding = bindingFor(input.target);
  const fields = binding.target.fields(await binding.env(ctx.db, null, settingDefaults(ctx.config)));
  const keys = new Set(fields.map((f) => f.key));
  for (const [header, key] of Object.entries(input.mapping)) {
    if (key !== null && !keys.has(key)) {
      throw errors.field(
        'request.invalid',
        `mapping.${header}`,
        `The column "${header}" is mapped to "${key}", which the ${input.target} target does not have.`,
        { problem: 'mapping.unknown_field' },
      );
    }
  }
  const { customerId: _scoped, ...options } = input.options;
  return { name, nameKey: foldKey(name), target: input.target, mapping: input.mapping, options };
}

export async function saveConfig(
  ctx: AppContext,
  actor: Actor,
  input: ConfigInput,
  id?: number,
): Promise<q.ImportConfig> {
  authorize(actor, 'imports.run');
  const values = await readInput(ctx, input);
  if (id !== undefined && !(await q.findConfig(ctx.db, id))) throw notFound(id);
  try {
    return await inTransaction(ctx, async (db) => {
      const at = ctx.now().toISOString();
      const saved =
        id === undefined
          ? await q.insertConfig(db, values, actor.label, at)
          : await q.updateConfig(db, id, values, at);
      await audit(ctx, db, actor, {
        action: id === undefined ? 'import_config.create' : 'import_config.update',
        entityType: 'import_config',
        entityId: saved.id,
        details: { name: saved.name },
      });
      return saved;
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw errors.field(
        'import_config.name_taken',
        'name',
        `A configuration named "${values.name}" exists.`,
      );
    throw e;
  }
}

export async function deleteConfig(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'imports.run');
  if (!(await q.findConfig(ctx.db, id))) throw notFound(id);
  await inTransaction(ctx, async (db) => {
    await q.deleteConfig(db, id);
    await audit(ctx, db, actor, {
      action: 'import_config.delete',
      entityType: 'import_config',
      entityId: id,
    });
  });
}

/** A configuration's mapping applied to a file's header: columns it does not name are ignored. */
export function mappingForHeader(
  config: Pick<q.ImportConfig, 'mapping'>,
  header: readonly string[],
): Mapping {
  return { columns: header.map((h) => config.mapping[h] ?? config.mapping[h.trim()] ?? null) };
}

/** The reverse: a mapping of one file, remembered by header. */
export function mappingByHeader(header: readonly string[], mapping: Mapping): Record<string, string | null> {
  return Object.fromEntries(header.map((h, i) => [h, mapping.columns[i] ?? null]));
}
