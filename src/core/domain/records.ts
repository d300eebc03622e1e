import type { AttributeValue } from './attributes.js';

/**
 * Records: business data owned by one portal user, of four types. Each belongs to its owner's
 * customer; its key (customer number, external id) is unique per owner and type.
 */
export const RECORD_TYPES = ['customers', 'appointments', 'tasks', 'reports'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** What a custom attribute extends: portal users, or one record type. */
export const ATTRIBUTE_ENTITY_TYPES = ['user', ...RECORD_TYPES] as const;
export type AttributeEntityType = (typeof ATTRIBUTE_ENTITY_TYPES)[number];

/** The field each type shows as its name, and the one that dates it (for sorting). */
export const RECORD_TITLE_FIELD: Record<RecordType, string> = {
  customers: 'name',
  appointments: 'subject',
  tasks: 'title',
  reports: 'subject',
};
export const RECORD_DATE_FIELD: Record<RecordType, string | null> = {
  customers: null,
  appointments: 'start',
  tasks: 'dueDate',
  reports: 'date',
};
/** Whether a type's records must, may or never refer to one of the owner's customers records. */
export const RECORD_CUSTOMER_REF: Record<RecordType, 'none' | 'optional' | 'required'> = {
  customers: 'none',
  appointments: 'required',
  tasks: 'optional',
  reports: 'required',
};

export const TASK_STATUSES = ['open', 'done'] as const;

/** Type-specific values of a record, by field key (text, or null when empty). */
export type RecordFields = Record<string, string | null>;

/** A record as stored: what an update compares with and what a restore point keeps. */
export interface RecordSnapshot {
  id: number;
  type: RecordType;
  ownerUserId: number;
  customerId: number;
  key: string;
  title: string;
  customerRef: string | null;
  date: string | null;
  fields: RecordFields;
  attributes: Record<string, AttributeValue>;
  version: number;
}

export type NewRecord = Omit<RecordSnapshot, 'id' | 'version'>;

/** Keys compare ignoring case and surrounding spaces. */
export const recordKeyFold = (value: string): string => value.trim().toLowerCase();

/** A date and time: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or `…THH:MM[:SS]`, or an Excel serial. */
export function readDateTime(text: string): string | null {
  const s = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (iso) {
    const [y, mo, d, h = '0', mi = '0', se = '0'] = iso.slice(1).map((p) => p ?? undefined) as string[];
    const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)));
    if (
      date.getUTCFullYear() !== Number(y) ||
      date.getUTCMonth() !== Number(mo) - 1 ||
      date.getUTCDate() !== Number(d) ||
      date.getUTCHours() !== Number(h) ||
      date.getUTCMinutes() !== Number(mi)
    )
      return null;
    return date.toISOString().slice(0, 19).replace('T', ' ').slice(0, 16);
  }
  if (/^\d+(\.\d+)?$/.test(s)) {
    const serial = Number(s);
    if (serial < 1 || serial > 2958465) return null;
    const ms = Date.UTC(1899, 11, 30) + Math.round((serial * 86_400_000) / 60_000) * 60_000;
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  }
  return null;
}
