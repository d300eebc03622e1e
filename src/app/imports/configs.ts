import { type Actor, authorize } from '../../core/access/policy.js';
import { foldKey, normalizeText } from '../../core/domain/text.js';
import { AppError, errors } from '../../core/errors.js';
import type { Mapping } from '../../core/import/mapping.js';
import type { OptionsInput } from '../../core/import/target.js';
import { isUniqueViolation } from '../../storage/errors.js';
import * as q from '../../storage/queries/import-configs.js';
import type { AppContext } from '../context.js';
import { audit, inTransaction } from '../shared.js';
import { getImport } from './manage-import.js';
import { readTargetOptions } from './options.js';
import { envFor } from './registry.js';

/**
 * Named import configurations: a mapping (by column header, so it fits any file with those
 * headers) and options, saved for reuse, exported and imported as JSON. Options never carry a
 * customer: that is chosen, or forced by scope, at each import.
 *
 * A configuration belongs to the customer scope of the admin who saved it. A customer-scoped admin
 * sees, uses and changes its customer's configurations, and sees and uses the shared ones (saved by
 * admins without a scope: a mapping and options, nothing of another customer's data; a user to
 * mirror is checked against the importing admin's scope at each import) but may not change them;
 * other customers' configurations are "not found". Admins without a scope see and change them all.
 */
export interface ConfigInput {
  name: string;
  target: string;
  mapping: Record<string, string | null>;
  options: OptionsInput;
}

const notFound = (id: number) => errors.notFound('import_config', id);

export async function listConfigs(ctx: AppContext, actor: Actor): Promise<q.ImportConfig[]> {
  authorize(actor, 'imports.read');
  return q.listConfigs(ctx.db, actor.customerId);
}

/** A configuration the actor may see: its customer's, or a shared one. */
async function visibleConfig(ctx: AppContext, actor: Actor, id: number): Promise<q.ImportConfig> {
  const found = await q.findConfig(ctx.db, id);
  if (!found || (found.customerId !== null && !inScope(actor, found.customerId))) throw notFound(id);
  return found;
}

const inScope = (actor: Actor, customerId: number) =>
  actor.customerId === null || actor.customerId === customerId;

/** A configuration the actor may change or delete: visible, and not a shared one for a scoped admin. */
async function changeableConfig(ctx: AppContext, actor: Actor, id: number): Promise<q.ImportConfig> {
  const found = await visibleConfig(ctx, actor, id);
  if (found.customerId === null && actor.customerId !== null) {
    throw new AppError(
      'import_config.shared',
      403,
      `The configuration "${found.name}" is shared by every customer: only an admin without a customer scope may change or delete it. Save a copy under another name to change it for your customer.`,
      { id },
    );
  }
  return found;
}

export async function getConfig(ctx: AppContext, actor: Actor, id: number): Promise<q.ImportConfig> {
  authorize(actor, 'imports.read');
  return visibleConfig(ctx, actor, id);
}

/**
 * A configuration by name, for an import: the actor's customer's own first, then a shared one. An
 * admin without a scope gets the shared one, or the only one of that name.
 */
export async function findConfigNamed(ctx: AppContext, actor: Actor, name: string): Promise<q.ImportConfig> {
  authorize(actor, 'imports.read');
  const found = await q.findConfigsByName(ctx.db, foldKey(name), actor.customerId);
  const own = actor.customerId === null ? undefined : found.find((c) => c.customerId === actor.customerId);
  const shared = found.find((c) => c.customerId === null);
  const pick = own ?? shared ?? (found.length === 1 ? found[0] : undefined);
  if (pick) return pick;
  if (found.length > 1) {
    throw errors.conflict(
      'import_config.ambiguous',
      `Several customers have a configuration named "${normalizeText(name)}": choose it by id (GET /api/v1/import-configs).`,
      { ids: found.map((c) => c.id) },
    );
  }
  throw errors.notFound('import_config');
}

async function readInput(ctx: AppContext, actor: Actor, input: ConfigInput): Promise<q.ConfigValues> {
  const name = normalizeText(input.name);
  if (name === '')
    throw errors.field('request.invalid', 'name', 'A configuration needs a name.', {
      problem: 'name.required',
    });
  const binding = ctx.targets.get(input.target);
  const fields = binding.target.fields(await envFor(ctx, binding, ctx.db, null));
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
  const { customerId: _scoped, targetOptions, ...general } = input.options;
  const options: OptionsInput = {
    ...general,
    ...(targetOptions !== undefined && {
      targetOptions: await readTargetOptions(ctx, actor, binding, targetOptions),
    }),
  };
  return { name, nameKey: foldKey(name), target: input.target, mapping: input.mapping, options };
}

export async function saveConfig(
  ctx: AppContext,
  actor: Actor,
  input: ConfigInput,
  id?: number,
): Promise<q.ImportConfig> {
  authorize(actor, 'imports.run');
  const values = await readInput(ctx, actor, input);
  if (id !== undefined) await changeableConfig(ctx, actor, id);
  try {
    return await inTransaction(ctx, async (db) => {
      const at = ctx.now().toISOString();
      const saved =
        id === undefined
          ? await q.insertConfig(db, values, actor.customerId, actor.label, at)
          : await q.updateConfig(db, id, values, at);
      await audit(ctx, db, actor, {
        action: id === undefined ? 'import_config.create' : 'import_config.update',
        entityType: 'import_config',
        entityId: saved.id,
        customerId: saved.customerId,
        details: { name: saved.name },
      });
      return saved;
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw errors.field(
        'import_config.name_taken',
        'name',
        `A configuration named "${values.name}" exists${actor.customerId === null ? ' among the shared ones' : ' for your customer'}: choose another name, or change that one.`,
      );
    throw e;
  }
}

export async function deleteConfig(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'imports.run');
  const found = await changeableConfig(ctx, actor, id);
  await inTransaction(ctx, async (db) => {
    await q.deleteConfig(db, id);
    await audit(ctx, db, actor, {
      action: 'import_config.delete',
      entityType: 'import_config',
      entityId: id,
      customerId: found.customerId,
    });
  });
}

/**
 * Saves an import's mapping (by column header, so that another file with the same columns maps
 * itself) and options (never its customer: that is chosen, or forced by scope, at each import).
 */
export async function saveImportAsConfig(
  ctx: AppContext,
  actor: Actor,
  importId: number,
  name: string,
): Promise<q.ImportConfig> {
  // The permission of the action comes first: 403 before the lookup's 404.
  authorize(actor, 'imports.run');
  const view = await getImport(ctx, actor, importId);
  const mapping = { columns: view.mapping.columns.map((c) => c.field) };
  const { customerId: _customer, ...options } = view.options;
  return saveConfig(ctx, actor, {
    name,
    target: view.target,
    mapping: mappingByHeader(view.header, mapping),
    options,
  });
}

/** The reverse: a mapping of one file, remembered by header. */
export function mappingByHeader(header: readonly string[], mapping: Mapping): Record<string, string | null> {
  return Object.fromEntries(header.map((h, i) => [h, mapping.columns[i] ?? null]));
}

/**
 * The options of an upload with a configuration: the upload's own over the configuration's, the
 * target's own options key by key.
 */
export function withConfigOptions(
  saved: OptionsInput | undefined,
  given: OptionsInput | undefined,
): OptionsInput {
  const targetOptions = { ...saved?.targetOptions, ...given?.targetOptions };
  return {
    ...saved,
    ...given,
    ...(Object.keys(targetOptions).length > 0 && { targetOptions }),
  };
}
