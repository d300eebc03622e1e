import { z } from 'zod';
import { type Actor, can, type Permission } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import {
  DEFAULT_OPTIONS,
  type GeneralOptions,
  type ImportOptions,
  type OptionIssue,
  type OptionsInput,
} from '../../core/import/target.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
import { type AnyBinding, envFor } from './registry.js';

/** The schema of a target that declares no options of its own: none are accepted. */
export const NO_TARGET_OPTIONS = z.object({}).strict();

/**
 * The options an import runs with: the admin's choices over `current` (or the defaults), each
 * checked. The target's own are laid key by key over the current ones, then read by the target's
 * schema (which fills in what is missing) and checked by the target against the directory as the
 * admin sees it. A scoped admin's imports always belong to their customer.
 */
export async function resolveOptions(
  ctx: AppContext,
  actor: Actor,
  binding: AnyBinding,
  input: OptionsInput | undefined,
  current?: ImportOptions,
): Promise<ImportOptions> {
  const target = binding.target;
  const mode = target.modes.includes(DEFAULT_OPTIONS.mode) ? DEFAULT_OPTIONS.mode : target.modes[0]!;
  const { targetOptions: ownInput, ...generalInput } = input ?? {};
  const general: GeneralOptions = {
    ...DEFAULT_OPTIONS,
    mode,
    ...current,
    ...definedOnly(generalInput),
  };
  if (!target.modes.includes(general.mode)) {
    throw errors.field(
      'request.invalid',
      'options.mode',
      `The ${target.name} target does not allow mode "${general.mode}"; use ${target.modes.join(' or ')}.`,
      { problem: 'import.mode_not_allowed' },
    );
  }
  // Naming another customer is checked below, and not found, like any object outside the scope.
  if (actor.customerId !== null) general.customerId = generalInput.customerId ?? actor.customerId;
  if (general.customerId !== null) await visibleCustomer(ctx, actor, general.customerId);
  const targetOptions = await readTargetOptions(ctx, actor, binding, {
    ...current?.targetOptions,
    ...ownInput,
  });
  return {
    mode: general.mode,
    emptyCells: general.emptyCells,
    atomic: general.atomic,
    customerId: general.customerId,
    dateOrder: general.dateOrder,
    targetOptions,
  };
}

/**
 * A target's own options read by its schema (defaults filled in) and checked against the
 * directory; anything wrong is refused with the option's path (`options.targetOptions.…`).
 * Configurations save them too, so they are checked the same way there.
 */
export async function readTargetOptions(
  ctx: AppContext,
  actor: Actor,
  binding: AnyBinding,
  given: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const declared = binding.target.options;
  const name = binding.target.name;
  const parsed = (declared?.schema ?? NO_TARGET_OPTIONS).safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const known = optionNames(binding.target);
      throw optionsRefused(
        {
          path: [...issue.path.map(String), issue.keys[0]!],
          message: `the ${name} target has no such option`,
        },
        known.length > 0 ? ` Its options: ${known.join(', ')}.` : ' It has no options of its own.',
      );
    }
    throw optionsRefused({ path: issue.path.map(String), message: issue.message });
  }
  const options = parsed.data as Record<string, unknown>;
  // An option that lets an import do what only some admins may do (create groups) says so.
  const properties = (optionsJsonSchema(binding.target).properties ?? {}) as Record<
    string,
    { permission?: Permission; title?: string }
  >;
  for (const [key, property] of Object.entries(properties)) {
    if (property.permission && options[key] === true && !can(actor, property.permission)) {
      throw optionsRefused({
        path: [key],
        message: `Only administrators may turn on "${property.title ?? key}"`,
      });
    }
  }
  if (declared?.check) {
    const env = await envFor(ctx, binding, ctx.db, actor.customerId);
    const [problem] = await declared.check(options, env);
    if (problem) throw optionsRefused(problem);
  }
  return options;
}

function optionsRefused(issue: OptionIssue, more = '') {
  const field = ['options', 'targetOptions', ...issue.path].join('.');
  const message = `${issue.message}${/[.!?]$/.test(issue.message) ? '' : '.'}${more}`;
  return errors.problems([{ field, code: 'import.option_invalid', message }]);
}

/**
 * A target's own options as JSON Schema (what an admin may send: defaults and the console's
 * metadata included), for `GET /import-targets` or, in OpenAPI 3.0's dialect, the API document.
 */
export function optionsJsonSchema(
  target: AnyBinding['target'],
  dialect: 'draft-2020-12' | 'openapi-3.0' = 'draft-2020-12',
): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(target.options?.schema ?? NO_TARGET_OPTIONS, {
    io: 'input',
    target: dialect,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return dialect === 'openapi-3.0' ? (asExtensions(json) as Record<string, unknown>) : json;
}

/** The console's metadata, which OpenAPI 3.0 only allows as extensions (`x-widget`, …). */
const CONSOLE_METADATA = new Set(['widget', 'labels', 'placeholder', 'missing', 'shownWhen', 'permission']);

function asExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asExtensions);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      CONSOLE_METADATA.has(key) ? `x-${key}` : key,
      // `properties` and `labels` are maps of names, never metadata themselves.
      key === 'properties'
        ? Object.fromEntries(Object.entries(inner as object).map(([k, v]) => [k, asExtensions(v)]))
        : key === 'labels' || key === 'default'
          ? inner
          : asExtensions(inner),
    ]),
  );
}

/** The names of a target's own options. */
export function optionNames(target: AnyBinding['target']): string[] {
  return Object.keys((optionsJsonSchema(target).properties as Record<string, unknown> | undefined) ?? {});
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
