import { type ChangeEvent, useCallback, useState } from 'react';
import { describeError, HttpError } from './api';

/** What an API refusal says about a form: messages for the fields it names, and the rest. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** A message for the whole form, when the error names no field of it. */
  form: string | null;
}

/** What an API refusal says about fields, read once for every form of the console. */
export interface FieldMessages {
  /** A message per field the error names; nested fields keep their dots (`attributes.costCenter`). */
  fields: Record<string, string>;
  /** What the error says about no field of the body (a query parameter, say), as sentences. */
  other: string[];
}

/** Parts of a request other than the body, as problems name them (`query.limit`). */
const OTHER_PARTS = /^(query|params|headers)(\.|$)/;

/**
 * Reads the API's error body (`{code, message, details}`) for the fields it names. Every error
 * about fields, whatever found it, lists them in `details.problems` as `{field, code, message}`;
 * body fields by their name (`email`, `attributes.costCenter`), others under `query.`, `params.`
 * or `headers.`. The first message about a field wins.
 */
export function fieldMessagesOf(error: unknown): FieldMessages {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  if (!(error instanceof HttpError) || !error.body) return { fields, other };
  for (const p of error.body.details?.problems ?? []) {
    if (p.field === '') other.push(p.message);
    else if (OTHER_PARTS.test(p.field)) other.push(`${p.field}: ${p.message}`);
    else if (!(p.field in fields)) fields[p.field] = p.message;
  }
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
