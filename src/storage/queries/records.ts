import type { Selectable, SelectQueryBuilder } from 'kysely';
import {
  type NewRecord,
  type RecordSnapshot,
  type RecordType,
  recordKeyFold,
} from '../../core/domain/records.js';
import { foldKey } from '../../core/domain/text.js';
import type { Db } from '../database.js';
import type { Database, RecordsTable } from '../schema.js';
import { attributeValues, readJson, recordFields } from '../stored-json.js';
import { startsWith } from './prefix.js';

/** A record as the API shows it: the snapshot, its owner and customer named, and its dates. */
export interface RecordView extends RecordSnapshot {
  owner: { id: number; email: string; displayName: string };
  customer: { id: number; name: string };
  importId: number | null;
  createdAt: string;
  updatedAt: string;
}

export const toSnapshot = (r: Selectable<RecordsTable>): RecordSnapshot => ({
  id: r.id,
  type: r.type as RecordType,
  ownerUserId: r.owner_user_id,
  customerId: r.customer_id,
  key: r.record_key,
  title: r.title,
  customerRef: r.customer_ref,
  date: r.record_date,
  fields: readJson(r.fields, recordFields, `fields of record ${r.id}`),
  attributes: readJson(r.attributes, attributeValues, `attributes of record ${r.id}`),
  version: r.version,
});

/** The columns of a record's values (what inserts and updates write). */
export function recordColumns(v: NewRecord) {
  return {
    type: v.type,
    owner_user_id: v.ownerUserId,
    customer_id: v.customerId,
    record_key: v.key,
    record_key_fold: recordKeyFold(v.key),
    title: v.title,
    title_key: foldKey(v.title),
    customer_ref: v.customerRef,
    customer_ref_fold: v.customerRef === null ? null : recordKeyFold(v.customerRef),
    record_date: v.date,
    fields: JSON.stringify(v.fields),
    attributes: JSON.stringify(v.attributes),
  };
}

const viewSelect = (db: Db) =>
  db
    .selectFrom('records')
    .innerJoin('users', 'users.id', 'records.owner_user_id')
    .innerJoin('customers', 'customers.id', 'records.customer_id')
    .selectAll('records')
    .select([
      'users.email as owner_email',
      'users.display_name as owner_display_name',
      'customers.name as customer_name',
    ]);

type ViewRow = Selectable<RecordsTable> & {
  owner_email: string;
  owner_display_name: string;
  customer_name: string;
};

const toView = (r: ViewRow): RecordView => ({
  ...toSnapshot(r),
  owner: { id: r.owner_user_id, email: r.owner_email, displayName: r.owner_display_name },
  customer: { id: r.customer_id, name: r.customer_name },
  importId: r.import_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function findRecord(db: Db, id: number): Promise<RecordView | undefined> {
  const r = await viewSelect(db).where('records.id', '=', id).executeTakeFirst();
  return r && toView(r);
}

export interface RecordFilter {
  type?: RecordType;
  ownerUserId?: number;
  customerId?: number;
  /** Lower-cased prefix of the title or the key. */
  search?: string;
}

function applyFilter<O>(
  q: SelectQueryBuilder<Database, 'records' | 'users' | 'customers', O>,
  f: RecordFilter,
): SelectQueryBuilder<Database, 'records' | 'users' | 'customers', O> {
  let out = q;
  if (f.type !== undefined) out = out.where('records.type', '=', f.type);
  if (f.ownerUserId !== undefined) out = out.where('records.owner_user_id', '=', f.ownerUserId);
  if (f.customerId !== undefined) out = out.where('records.customer_id', '=', f.customerId);
  const search = f.search;
  if (search !== undefined && search !== '') {
    out = out.where((eb) =>
      eb.or([startsWith(eb, 'records.title_key', search), startsWith(eb, 'records.record_key_fold', search)]),
    );
  }
  return out;
}

/** Records in id order after `afterId` (keyset paging). */
export async function listRecords(
  db: Db,
  filter: RecordFilter & { afterId?: number; limit: number },
): Promise<RecordView[]> {
  let q = applyFilter(viewSelect(db), filter);
  if (filter.afterId !== undefined) q = q.where('records.id', '>', filter.afterId);
  return (await q.orderBy('records.id').limit(filter.limit).execute()).map(toView);
}

export async function countRecords(db: Db, filter: RecordFilter): Promise<number> {
  const r = await applyFilter(
    db
      .selectFrom('records')
      .innerJoin('users', 'users.id', 'records.owner_user_id')
      .innerJoin('customers', 'customers.id', 'records.customer_id'),
    filter,
  )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Writes a record's new values: a new version. */
export async function updateRecord(
  db: Db,
  before: RecordSnapshot,
  after: NewRecord,
  importId: number | null,
  at: string,
) {
  await db
    .updateTable('records')
    .set({ ...recordColumns(after), version: before.version + 1, updated_at: at, import_id: importId })
    .where('id', '=', before.id)
    .execute();
}

export async function deleteRecord(db: Db, id: number): Promise<void> {
  await db.deleteFrom('records').where('id', '=', id).execute();
}

/** Whether the owner has a customers record with this number (another record's reference). */
export async function ownerHasCustomerNumber(db: Db, ownerUserId: number, number: string): Promise<boolean> {
  const r = await db
    .selectFrom('records')
    .select('id')
    .where('owner_user_id', '=', ownerUserId)
    .where('type', '=', 'customers')
    .where('record_key_fold', '=', recordKeyFold(number))
    .executeTakeFirst();
  return r !== undefined;
}
