import type { AttributeDefinition, AttributeType } from '../../core/domain/attributes.js';
import type { RecordType } from '../../core/domain/records.js';
import type { RecordOwner, RecordsStore } from '../../core/import/targets/owned-records.js';
import type { Db } from '../database.js';
import { recordColumns, toSnapshot } from '../queries/records.js';
import { readStringList } from '../stored-json.js';

/** The record targets' storage: batched lookups and writes, a few statements per batch. */
const CHUNK = 500;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const ownerColumns = ['id', 'customer_id', 'email', 'employee_number', 'display_name'] as const;
const toOwner = (r: {
  id: number;
  customer_id: number;
  email: string;
  employee_number: string | null;
  display_name: string;
}): RecordOwner => ({
  id: r.id,
  customerId: r.customer_id,
  email: r.email,
  employeeNumber: r.employee_number,
  displayName: r.display_name,
});

/** The custom attributes of one entity type (`user` or a record type). */
export async function attributesOf(db: Db, entityType: string): Promise<AttributeDefinition[]> {
  const rows = await db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('entity_type', '=', entityType)
    .orderBy('key')
    .execute();
  return rows.map((a) => ({
    id: a.id,
    key: a.key,
    label: a.label,
    type: a.type as AttributeType,
    options: readStringList(a.options, `options of attribute ${a.key}`),
    required: a.required === 1,
    description: a.description,
  }));
}

export function recordsStore(db: Db, now: () => Date = () => new Date()): RecordsStore {
  return {
    async ownersByEmail(keys, customerId) {
      const out: RecordOwner[] = [];
      for (const part of chunks([...new Set(keys)])) {
        let q = db.selectFrom('users').select(ownerColumns).where('email_key', 'in', part);
        if (customerId !== null) q = q.where('customer_id', '=', customerId);
        out.push(...(await q.execute()).map(toOwner));
      }
      return out;
    },

    async ownersByEmployeeNumber(folds, customerId) {
      const out: RecordOwner[] = [];
      for (const part of chunks([...new Set(folds)])) {
        let q = db.selectFrom('users').select(ownerColumns).where('employee_number_key', 'in', part);
        if (customerId !== null) q = q.where('customer_id', '=', customerId);
        out.push(...(await q.orderBy('id').execute()).map(toOwner));
      }
      return out;
    },

    async findByKeys(type: RecordType, keys) {
      const out = new Map<string, number>();
      const byOwner = new Map<number, Set<string>>();
      for (const k of keys) byOwner.set(k.ownerId, (byOwner.get(k.ownerId) ?? new Set()).add(k.fold));
      for (const [ownerId, folds] of byOwner) {
        for (const part of chunks([...folds])) {
          const rows = await db
            .selectFrom('records')
            .select(['id', 'record_key_fold'])
            .where('owner_user_id', '=', ownerId)
            .where('type', '=', type)
            .where('record_key_fold', 'in', part)
            .execute();
          for (const r of rows) out.set(`${ownerId}:${r.record_key_fold}`, r.id);
        }
      }
      return out;
    },

    async snapshots(ids) {
      const out = new Map<number, ReturnType<typeof toSnapshot>>();
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('records').selectAll().where('id', 'in', part).execute();
        for (const r of rows) out.set(r.id, toSnapshot(r));
      }
      return out;
    },

    async insert(records, importId) {
      const at = now().toISOString();
      const ids: number[] = [];
      // One statement per record keeps the ids in order on both databases; records come in small files.
      for (const r of records) {
        const { id } = await db
          .insertInto('records')
          .values({ ...recordColumns(r), version: 1, import_id: importId, created_at: at, updated_at: at })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(id);
      }
      return ids;
    },

    async update(changes, importId) {
      const at = now().toISOString();
      for (const { before, after } of changes) {
        await db
          .updateTable('records')
          .set({ ...recordColumns(after), version: before.version + 1, import_id: importId, updated_at: at })
          .where('id', '=', before.id)
          .execute();
      }
    },

    async page(type, after, limit, customerId) {
      let q = db
        .selectFrom('records')
        .innerJoin('users', 'users.id', 'records.owner_user_id')
        .selectAll('records')
        .select('users.email as owner_email')
        .where('records.type', '=', type)
        .where('records.id', '>', after);
      if (customerId !== null) q = q.where('records.customer_id', '=', customerId);
      const rows = await q.orderBy('records.id').limit(limit).execute();
      return rows.map((r) => ({ ...toSnapshot(r), ownerEmail: r.owner_email }));
    },

    async versions(ids) {
      const out = new Map<number, { version: number; label: string }>();
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db
          .selectFrom('records')
          .select(['id', 'version', 'type', 'record_key'])
          .where('id', 'in', part)
          .execute();
        for (const r of rows) out.set(r.id, { version: r.version, label: `${r.type} ${r.record_key}` });
      }
      return out;
    },

    async remove(ids) {
      for (const part of chunks([...ids])) await db.deleteFrom('records').where('id', 'in', part).execute();
    },

    async restore(befores) {
      const at = now().toISOString();
      for (const b of befores) {
        const { id: _id, version, ...values } = b;
        // A restore is a write of its own: past any version the import or the check could have seen.
        await db
          .updateTable('records')
          .set({ ...recordColumns(values), version: version + 2, updated_at: at })
          .where('id', '=', b.id)
          .execute();
      }
    },
  };
}
