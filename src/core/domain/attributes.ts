/**
 * Custom attributes: admin-defined user fields. A definition says how a raw value is read; the
 * same reader serves the users API and, later, import validation.
 */
export const ATTRIBUTE_TYPES = ['text', 'number', 'date', 'boolean', 'enum'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
export type AttributeValue = string | number | boolean | null;

export interface AttributeDefinition {
  id: number;
  key: string;
  label: string;
  type: AttributeType;
  options: string[];
  required: boolean;
  description: string;
}

export const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,62}$/;
export const ATTRIBUTE_TEXT_MAX_LENGTH = 1000;

export type AttributeProblem = { code: string; message: string };

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'x']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0']);

/** Reads a value for a definition: the stored form, or a problem that says what to do. */
export function readAttributeValue(
  def: AttributeDefinition,
  raw: unknown,
): { ok: true; value: AttributeValue } | { ok: false; problem: AttributeProblem } {
  if (raw === null || raw === undefined || raw === '') {
    return def.required
      ? { ok: false, problem: { code: 'attribute.required', message: `${def.label} is required.` } }
      : { ok: true, value: null };
  }
  switch (def.type) {
    case 'text': {
      const s = String(raw);
      if (s.length > ATTRIBUTE_TEXT_MAX_LENGTH) {
        return fail(
          'attribute.too_long',
          `${def.label} is longer than ${ATTRIBUTE_TEXT_MAX_LENGTH} characters.`,
        );
      }
      return { ok: true, value: s };
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(n)) return fail('attribute.not_a_number', `${def.label} must be a number.`);
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const s = String(raw).trim().toLowerCase();
      if (TRUE_WORDS.has(s)) return { ok: true, value: true };
      if (FALSE_WORDS.has(s)) return { ok: true, value: false };
      return fail('attribute.not_a_boolean', `${def.label} must be true or false (or yes/no).`);
    }
    case 'date': {
      const s = String(raw).trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`))) {
        return fail('attribute.not_a_date', `${def.label} must be a date written YYYY-MM-DD.`);
      }
      const d = new Date(`${s}T00:00:00Z`);
      if (d.toISOString().slice(0, 10) !== s) {
        return fail('attribute.not_a_date', `${def.label} is not a real calendar date.`);
      }
      return { ok: true, value: s };
    }
    case 'enum': {
      const s = String(raw);
      if (!def.options.includes(s)) {
        return fail('attribute.not_allowed', `${def.label} must be one of: ${def.options.join(', ')}.`);
      }
      return { ok: true, value: s };
    }
  }
}

function fail(code: string, message: string) {
  return { ok: false as const, problem: { code, message } };
}
