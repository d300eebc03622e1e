import { type ChangeEvent, useCallback, useState } from 'react';
import { describeError, HttpError } from './api';

/** What an API refusal says about a form: messages for the fields it names, and the rest. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** A message for the whole form, when the error names no field of it. */
  form: string | null;
}

interface FieldProblem {
  field?: unknown;
  path?: unknown;
  message?: unknown;
}

/** What an API refusal says about fields, read once for every form of the console. */
export interface FieldMessages {
  /** A message per field the error names; nested fields keep their dots (`attributes.costCenter`). */
  fields: Record<string, string>;
  /** What the error says about no field of the body (a query parameter, say), as sentences. */
  other: string[];
}

/** `external_id` → `externalId`: error codes use snake case, fields camel case. */
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Reads the API's error body (`{code, message, details}`) for the fields it names: `details.problems`
 * (one per field), `details.issues` (schema checks, with paths like `body.name`), `details.field`, or
 * a code like `role.name_taken` (the field is the word before `_taken`). The first message about a
 * field wins.
 */
export function fieldMessagesOf(error: unknown): FieldMessages {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  if (!(error instanceof HttpError) || !error.body) return { fields, other };
  const { message, code } = error.body;
  const details = error.body.details ?? {};
  const put = (field: string, text: string) => {
    if (!(field in fields)) fields[field] = text;
  };

  const list = (value: unknown): FieldProblem[] => (Array.isArray(value) ? (value as FieldProblem[]) : []);
  for (const p of list(details.problems)) {
    if (typeof p.field === 'string' && typeof p.message === 'string') put(p.field, p.message);
  }
  for (const issue of list(details.issues)) {
    if (typeof issue.path !== 'string' || typeof issue.message !== 'string') continue;
    const field = /^body\.(.+)$/.exec(issue.path)?.[1];
    if (field) put(field, sentence(issue.message));
    else other.push(`${issue.path}: ${issue.message}`);
  }
  if (typeof details.field === 'string') put(details.field, message);
  const taken = /\.([a-z_]+)_taken$/.exec(code);
  if (taken?.[1] && Object.keys(fields).length === 0) put(camel(taken[1]), message);
  return { fields, other };
}

/**
 * An API refusal spread over a form's fields (`known`). A nested field counts for the form's field
 * it is in (`name.first` → `name`); fields not in `known` go to the form's message, so that nothing
 * the API said is lost.
 */
export function readFormErrors<F extends string>(error: unknown, known: readonly F[]): FormErrors<F> {
  const fields: Partial<Record<F, string>> = {};
  if (!(error instanceof HttpError) || !error.body) return { fields, form: describeError(error) };
  const isKnown = (name: string): name is F => (known as readonly string[]).includes(name);
  const read = fieldMessagesOf(error);
  const leftOver = [...read.other];
  for (const [field, text] of Object.entries(read.fields)) {
    const outer = field.split('.')[0] ?? field;
    if (isKnown(field)) fields[field] ??= text;
    else if (isKnown(outer)) fields[outer] ??= text;
    else leftOver.push(text);
  }
  const named = Object.keys(fields).length > 0;
  const form = leftOver.length > 0 ? leftOver.join(' ') : named ? null : describeError(error);
  return { fields, form };
}

/** Schema messages arrive lower-case and without a full stop ("too big: expected …"). */
function sentence(text: string): string {
  const t = text.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

/**
 * A form's values and the API's errors for them. `fail(error)` spreads an API refusal over the
 * fields; changing a field clears its message.
 */
export function useFormState<V extends Record<string, unknown>>(initial: V) {
  type F = keyof V & string;
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<FormErrors<F>>({ fields: {}, form: null });

  const set = useCallback(<K extends F>(key: K, value: V[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => (e.fields[key] ? { ...e, fields: { ...e.fields, [key]: undefined } } : e));
  }, []);
  const reset = useCallback((next: V) => {
    setValues(next);
    setErrors({ fields: {}, form: null });
  }, []);
  const fail = useCallback(
    (error: unknown) => setErrors(readFormErrors(error, Object.keys(values) as F[])),
    [values],
  );
  return { values, set, reset, errors: errors.fields, formError: errors.form, fail };
}

export type FormState<V extends Record<string, unknown>> = ReturnType<typeof useFormState<V>>;

/** The fields of a form's values that hold free text (not a narrower string type such as a role). */
type TextField<V> = {
  [K in keyof V]: V[K] extends string ? (string extends V[K] ? K : never) : never;
}[keyof V] &
  string;

/** A text box bound to one text field of a form: its value, its change and the API's message for it. */
export function textFieldProps<V extends Record<string, unknown>, K extends TextField<V>>(
  form: FormState<V>,
  key: K,
) {
  return {
    value: form.values[key] as string,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      form.set(key, e.currentTarget.value as V[K]),
    error: form.errors[key],
  };
}

/** Empty text as null, for optional API fields that clear with null. */
export const orNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());
