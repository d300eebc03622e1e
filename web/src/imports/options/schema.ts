/**
 * The part of JSON Schema that import targets describe their own options with (zod's
 * `toJSONSchema`, served by `GET /import-targets`), plus the metadata the options step reads. The
 * console draws a target's options from this alone: it never names a target's option.
 */
export interface OptionSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, OptionSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  oneOf?: OptionSchema[];
  anyOf?: OptionSchema[];
  items?: OptionSchema;
  minItems?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  /** A control of its own: `groups` (group picker), `user` (user search), `invitations` (switch with the send time). */
  widget?: string;
  /** An enum's labels, by value. */
  labels?: Record<string, string>;
  placeholder?: string;
  /** Said while a required value is not chosen. */
  missing?: string;
  /** The boolean option (a sibling) this one is shown under. */
  shownWhen?: string;
}

export type OptionValues = Record<string, unknown>;

/** A choice between object shapes told apart by one constant property (a discriminated union). */
export interface Choice {
  key: string;
  variants: { value: string; label: string; schema: OptionSchema }[];
}

export function choiceOf(schema: OptionSchema): Choice | null {
  const variants = schema.oneOf ?? schema.anyOf;
  if (!variants || variants.length < 2 || !variants.every((v) => v.properties)) return null;
  const key = Object.keys(variants[0]!.properties!).find((k) =>
    variants.every((v) => v.properties?.[k] && constOf(v.properties[k]!) !== undefined),
  );
  if (!key) return null;
  return {
    key,
    variants: variants.map((v) => {
      const value = String(constOf(v.properties![key]!));
      return { value, label: v.title ?? v.description ?? value, schema: v };
    }),
  };
}

const constOf = (s: OptionSchema): unknown => s.const ?? (s.enum?.length === 1 ? s.enum[0] : undefined);

/** `X or null` read as X that may be empty. */
export function unwrapNullable(schema: OptionSchema): { schema: OptionSchema; nullable: boolean } {
  const parts = schema.anyOf ?? schema.oneOf;
  if (parts && parts.length === 2 && parts.some((p) => p.type === 'null')) {
    const inner = parts.find((p) => p.type !== 'null')!;
    const { anyOf: _a, oneOf: _o, ...meta } = schema;
    return { schema: { ...inner, ...meta }, nullable: true };
  }
  return { schema, nullable: Array.isArray(schema.type) && schema.type.includes('null') };
}

export const labelOf = (key: string, schema: OptionSchema) => schema.title ?? key;

/** Whether an option is shown: one with `shownWhen` only while that sibling is on. */
export const isShown = (schema: OptionSchema, siblings: OptionValues) =>
  !schema.shownWhen || siblings[schema.shownWhen] === true;

/** A value a required option still lacks: nothing chosen, or fewer items than it needs. */
export function isMissing(schema: OptionSchema, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length < (schema.minItems ?? 0);
  return false;
}

/** The values' properties a form still needs before it can be saved, with what to say. */
export function missingChoices(schema: OptionSchema, values: OptionValues): string[] {
  const out: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (!isShown(prop, values)) continue;
    const value = values[key];
    const choice = choiceOf(prop);
    if (choice && value && typeof value === 'object') {
      const chosen = choice.variants.find((v) => v.value === (value as OptionValues)[choice.key]);
      if (chosen) out.push(...missingChoices(withoutKey(chosen.schema, choice.key), value as OptionValues));
      continue;
    }
    const required = schema.required?.includes(key) && prop.default === undefined;
    if ((required || (prop.minItems ?? 0) > 0) && isMissing(prop, value)) {
      out.push(prop.missing ?? `Choose ${labelOf(key, prop).toLowerCase()}.`);
    }
  }
  return out;
}

/** A variant's schema without its discriminating property (shown as the choice itself). */
export function withoutKey(schema: OptionSchema, key: string): OptionSchema {
  const { [key]: _drop, ...properties } = schema.properties ?? {};
  return { ...schema, properties, required: (schema.required ?? []).filter((k) => k !== key) };
}

/** The options in a line of words, for an import's details: "Send activation emails: yes · Roles and groups: …". */
export function describeOptions(schema: OptionSchema | undefined, values: OptionValues): string[] {
  if (!schema?.properties) return [];
  const out: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (!isShown(prop, values)) continue;
    const value = values[key];
    const label = labelOf(key, prop);
    const choice = choiceOf(prop);
    if (choice && value && typeof value === 'object') {
      const chosen = choice.variants.find((v) => v.value === (value as OptionValues)[choice.key]);
      const inner = chosen
        ? describeOptions(withoutKey(chosen.schema, choice.key), value as OptionValues)
        : [];
      out.push(`${label}: ${chosen?.label ?? '?'}${inner.length > 0 ? ` (${inner.join(', ')})` : ''}`);
    } else if (typeof value === 'boolean') out.push(`${label}: ${value ? 'yes' : 'no'}`);
    else if (Array.isArray(value)) out.push(`${label}: ${value.length}`);
    else if (typeof value === 'string' && value !== '') {
      const { schema: inner } = unwrapNullable(prop);
      if (inner.enum) out.push(`${label}: ${inner.labels?.[value] ?? value}`);
    } else if (typeof value === 'number') out.push(`${label}: #${value}`);
  }
  return out;
}
