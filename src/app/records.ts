import { type Actor, assertInScope, authorize } from '../core/access/policy.js';
import { type AttributeValue, readAttributeValue } from '../core/domain/attributes.js';
import { checkEmail } from '../core/domain/email.js';
import type { Page } from '../core/domain/entities.js';
import {
  type NewRecord,
  RECORD_CUSTOMER_REF,
  RECORD_DATE_FIELD,
  RECORD_TITLE_FIELD,
  type RecordFields,
  type RecordType,
  readDateTime,
  recordKeyFold,
  TASK_STATUSES,
} from '../core/domain/records.js';
import { foldKey, normalizeText } from '../core/domain/text.js';
import { errors } from '../core/errors.js';
import { readDate } from '../core/import/cells.js';
import { Problems } from '../core/problems.js';
import { isUniqueViolation } from '../storage/errors.js';
import * as q from '../storage/queries/records.js';
import { attributesOf } from '../storage/targets/records-store.js';
import type { AppContext } from './context.js';
import { audit, inTransaction } from './shared.js';

/**
 * Records of portal users: listed, opened, edited and deleted by admins within their scope (a
 * customer-scoped admin sees only their customer's records, and "not found" for any other), and
 * read by their owners on the portal.
 */

const notFound = (id: number) => () => errors.notFound('record', id);

export interface RecordListFilter {
  type?: RecordType;
  ownerUserId?: number;
  customerId?: number;
  search?: string;
  cursor?: number;
  limit: number;
}

async function page(ctx: AppContext, where: q.RecordFilter, cursor: number | undefined, limit: number) {
  const items = await q.listRecords(ctx.db, {
    ...where,
    ...(cursor !== undefined && { afterId: cursor }),
    limit: limit + 1,
  });
  const total = await q.countRecords(ctx.db, where);
  const more = items.length > limit;
  const shown = items.slice(0, limit);
  return { items: shown, total, nextCursor: more ? String(shown[shown.length - 1]!.id) : null };
}

export async function listRecords(
  ctx: AppContext,
  actor: Actor,
  filter: RecordListFilter,
): Promise<Page<q.RecordView>> {
  authorize(actor, 'directory.read');
  if (filter.customerId !== undefined)
    assertInScope(actor, filter.customerId, () => errors.notFound('customer', filter.customerId));
  const customerId = actor.customerId ?? filter.customerId;
  const search = foldKey(filter.search ?? '');
  const where: q.RecordFilter = {
    ...(filter.type !== undefined && { type: filter.type }),
    ...(filter.ownerUserId !== undefined && { ownerUserId: filter.ownerUserId }),
    ...(customerId !== undefined && { customerId }),
    ...(search !== '' && { search }),
  };
  return page(ctx, where, filter.cursor, filter.limit);
}

export async function getRecord(ctx: AppContext, actor: Actor, id: number): Promise<q.RecordView> {
  authorize(actor, 'directory.read');
  return visibleRecord(ctx, actor, id);
}

async function visibleRecord(ctx: AppContext, actor: Actor, id: number): Promise<q.RecordView> {
  const record = await q.findRecord(ctx.db, id);
  if (!record) throw notFound(id)();
  assertInScope(actor, record.customerId, notFound(id));
  return record;
}

export interface RecordPatch {
  key?: string;
  customerRef?: string | null;
  fields?: Record<string, string | null>;
  attributes?: Record<string, AttributeValue>;
}

/** Reads a type's field as the import would: dates, dates and times, statuses, emails. */
function readField(type: RecordType, key: string, value: string | null, problems: Problems): string | null {
  if (value === null) return null;
  const text = normalizeText(value);
  if (text === '') return null;
  const field = `fields.${key}`;
  if ((type === 'tasks' && key === 'dueDate') || (type === 'reports' && key === 'date')) {
    const d = readDate(text);
    if (d === null) problems.add(field, 'date.invalid', `"${text}" is not a date; write it as YYYY-MM-DD.`);
    return d ?? text;
  }
  if (type === 'appointments' && (key === 'start' || key === 'end')) {
    const d = readDateTime(text);
    if (d === null)
      problems.add(
        field,
        'datetime.invalid',
        `"${text}" is not a date and time; write it as YYYY-MM-DD HH:MM.`,
      );
    return d ?? text;
  }
  if (type === 'tasks' && key === 'status' && !(TASK_STATUSES as readonly string[]).includes(text)) {
    problems.add(field, 'value.not_allowed', `The status is ${TASK_STATUSES.join(' or ')}.`);
  }
  if (type === 'customers' && key === 'email' && checkEmail(text) !== null) {
    problems.add(field, 'email.invalid', `"${text}" is not a valid email address.`);
  }
  return text;
}

const FIELD_KEYS: Record<RecordType, readonly string[]> = {
  customers: ['name', 'address1', 'address2', 'postcode', 'city', 'country', 'phone', 'email', 'notes'],
  appointments: ['subject', 'start', 'end', 'location', 'notes'],
  tasks: ['title', 'dueDate', 'status', 'notes'],
  reports: ['date', 'subject', 'text'],
};

/** Changes a record: a new version (an import's rollback then leaves it alone and reports it). */
export async function updateRecord(
  ctx: AppContext,
  actor: Actor,
  id: number,
  patch: RecordPatch,
): Promise<q.RecordView> {
  authorize(actor, 'users.manage');
  const current = await visibleRecord(ctx, actor, id);
  const type = current.type;
  const problems = new Problems();
  const fields: RecordFields = { ...current.fields };
  for (const [key, value] of Object.entries(patch.fields ?? {})) {
    if (!FIELD_KEYS[type].includes(key)) {
      problems.add(
        `fields.${key}`,
        'record.unknown_field',
        `A ${type} record has no field "${key}". Its fields: ${FIELD_KEYS[type].join(', ')}.`,
      );
      continue;
    }
    fields[key] = readField(type, key, value, problems);
  }
  const titleField = RECORD_TITLE_FIELD[type];
  if (type !== 'reports' && (fields[titleField] ?? null) === null)
    problems.add(`fields.${titleField}`, 'value.required', `The ${titleField} is required.`);
  if (type === 'appointments' && fields.start && fields.end && fields.end <= fields.start)
    problems.add(
      'fields.end',
      'appointment.end_before_start',
      `The end (${fields.end}) must be after the start (${fields.start}).`,
    );
  const key = patch.key === undefined ? current.key : normalizeText(patch.key);
  if (key === '') problems.add('key', 'value.required', 'A record needs its key.');
  let customerRef = current.customerRef;
  const refRule = RECORD_CUSTOMER_REF[type];
  if (patch.customerRef !== undefined && refRule !== 'none') {
    customerRef = patch.customerRef === null ? null : normalizeText(patch.customerRef) || null;
    if (customerRef === null && refRule === 'required')
      problems.add('customerRef', 'value.required', 'This record must name one of the owner’s customers.');
    if (customerRef !== null && !(await q.ownerHasCustomerNumber(ctx.db, current.ownerUserId, customerRef)))
      problems.add(
        'customerRef',
        'record.customer_unknown',
        `${current.owner.email} has no customer with the number "${customerRef}".`,
      );
  }
  const attributes = { ...current.attributes };
  if (patch.attributes) {
    const defs = new Map((await attributesOf(ctx.db, type)).map((d) => [d.key, d]));
    for (const [name, value] of Object.entries(patch.attributes)) {
      const def = defs.get(name);
      if (!def) {
        problems.add(`attributes.${name}`, 'attribute.unknown', `There is no ${type} attribute "${name}".`);
        continue;
      }
      const read = readAttributeValue(def, value);
      if (read.ok) attributes[name] = read.value;
      else problems.add(`attributes.${name}`, read.problem.code, read.problem.message);
    }
  }
  problems.throwIfAny();
  const dateField = RECORD_DATE_FIELD[type];
  const after: NewRecord = {
    type,
    ownerUserId: current.ownerUserId,
    customerId: current.customerId,
    key,
    title: fields[titleField] || key,
    customerRef,
    date: dateField ? (fields[dateField] ?? null) : null,
    fields,
    attributes,
  };
  try {
    return await inTransaction(ctx, async (db) => {
      await q.updateRecord(db, current, after, current.importId, ctx.now().toISOString());
      await audit(ctx, db, actor, {
        action: 'record.update',
        entityType: 'record',
        entityId: id,
        details: {
          type,
          key: recordKeyFold(key) === recordKeyFold(current.key) ? key : { from: current.key, to: key },
        },
      });
      return (await q.findRecord(db, id))!;
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw errors.field(
        'record.key_taken',
        'key',
        `${current.owner.email} has another ${type} record "${key}".`,
      );
    throw e;
  }
}

export async function deleteRecord(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'users.manage');
  const current = await visibleRecord(ctx, actor, id);
  await inTransaction(ctx, async (db) => {
    await q.deleteRecord(db, id);
    await audit(ctx, db, actor, {
      action: 'record.delete',
      entityType: 'record',
      entityId: id,
      details: { type: current.type, key: current.key, ownerUserId: current.ownerUserId },
    });
  });
}

/** A portal user's own records (the portal's home page): read-only. */
export async function portalRecords(
  ctx: AppContext,
  userId: number,
  filter: { type?: RecordType; cursor?: number; limit: number },
): Promise<Page<q.RecordView>> {
  return page(
    ctx,
    { ownerUserId: userId, ...(filter.type !== undefined && { type: filter.type }) },
    filter.cursor,
    filter.limit,
  );
}
