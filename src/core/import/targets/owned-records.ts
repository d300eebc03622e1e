import { z } from 'zod';
import { type AttributeDefinition, readAttributeValue } from '../../domain/attributes.js';
import { checkEmail, emailKey } from '../../domain/email.js';
import {
  type NewRecord,
  type RecordFields,
  type RecordSnapshot,
  type RecordType,
  recordKeyFold,
} from '../../domain/records.js';
import { employeeNumberKey } from '../../domain/user.js';
import type { CellValue } from '../cells.js';
import type { RowProblem } from '../problems.js';
import { undoAtVersion } from '../restore.js';
import type {
  CheckedRow,
  ImportTarget,
  RestorePoint,
  RowInput,
  RowResult,
  RunOptions,
  TargetField,
} from '../target.js';
import { problem } from '../validate.js';

/**
 * What the record targets share: every record is owned by one portal user, named in one column of
 * the file by email or employee number, and belongs to that user's customer. A record type declares
 * its own fields and rules (`RecordSpec`); `ownedRecordTarget` makes the import target of it, with
 * the owner column, the `ownerBy` option, owner matching within the admin's scope, the key unique
 * per owner, references to the owner's customers records, custom attributes of the type, and the
 * restore point (entity type `record`, undone by version).
 */

export const RECORD_ENTITY = 'record';
export const OWNER_FIELD = 'owner';

/** A portal user a row may name as its owner (only users the admin may see are ever looked up). */
export interface RecordOwner {
  id: number;
  customerId: number;
  email: string;
  employeeNumber: string | null;
  displayName: string;
}

/** What the record targets need from storage; implemented in storage/targets/records-store.ts. */
export interface RecordsStore {
  /** Users by lower-cased email, within the customer when one is given. */
  ownersByEmail(keys: readonly string[], customerId: number | null): Promise<RecordOwner[]>;
  /** Users by folded employee number (`employeeNumberKey`), within the customer when given. */
  ownersByEmployeeNumber(folds: readonly string[], customerId: number | null): Promise<RecordOwner[]>;
  /** Records of `type` by owner and folded key: `${ownerId}:${fold}` → id. */
  findByKeys(
    type: RecordType,
    keys: readonly { ownerId: number; fold: string }[],
  ): Promise<Map<string, number>>;
  snapshots(ids: readonly number[]): Promise<Map<number, RecordSnapshot>>;
  /** Inserts the records in order; answers their ids in the same order. */
  insert(records: readonly NewRecord[], importId: number | null): Promise<number[]>;
  update(changes: readonly { before: RecordSnapshot; after: NewRecord }[], importId: number): Promise<void>;
  /** Records of `type` in id order after `after`, within the customer when one is given. */
  page(
    type: RecordType,
    after: number,
    limit: number,
    customerId: number | null,
  ): Promise<(RecordSnapshot & { ownerEmail: string })[]>;
  versions(ids: readonly number[]): Promise<Map<number, { version: number; label: string }>>;
  remove(ids: readonly number[]): Promise<void>;
  restore(befores: readonly RecordSnapshot[]): Promise<void>;
}

export interface RecordsEnv {
  store: RecordsStore;
  /** The admin's customer scope: owners are only ever users of this customer. */
  scopeCustomerId: number | null;
  /** Custom attributes of this record type. */
  attributes: AttributeDefinition[];
}

export const OWNER_BY = ['email', 'employeeNumber'] as const;
export type OwnerBy = (typeof OWNER_BY)[number];

export const recordOptionsSchema = z
  .object({
    ownerBy: z
      .enum(OWNER_BY)
      .optional()
      .meta({
        title: 'The owner column names each owner by',
        description:
          "Each row's owner is a portal user named by email or by employee number. Not chosen: read from the owner column's header, else from each value (one with an @ is an email).",
        labels: { email: 'Email', employeeNumber: 'Employee number' },
      }),
  })
  .strict();
export type RecordOptions = z.output<typeof recordOptionsSchema>;
type Options = RunOptions<RecordOptions>;

const OWNER: TargetField = {
  key: OWNER_FIELD,
  column: 'Owner',
  label: 'Owner',
  type: 'text',
  required: true,
  maxLength: 254,
  description:
    "The portal user who owns the row's record: their email or their employee number (see the option ownerBy).",
  synonyms: [
    'Owner email',
    'Owner employee number',
    'Representative',
    'Representative email',
    'Rep',
    'Rep email',
    'Sales rep',
    'Sales representative',
    'Sales rep email',
    'User',
    'User email',
    'Employee no',
    'Employee number',
    'Employee ID',
    'Personnel number',
    'Assigned to',
  ],
};

/** The customer number a record refers to: the key of a customers record of the same owner. */
export const CUSTOMER_REF_FIELD = 'customerNumber';

/** The field by which a record names one of its owner's customers (`customerRef` says if required). */
export function customerRefField(required: boolean, description: string): TargetField {
  return {
    key: CUSTOMER_REF_FIELD,
    column: 'Customer number',
    label: 'Customer number',
    type: 'text',
    required,
    maxLength: 100,
    description,
    synonyms: ['Customer no', 'Customer ID', 'Account number', 'Customer'],
  };
}

/** The key of appointments, tasks and reports: an id from the system they come from, per owner. */
export function externalIdField(noun: string, synonyms: readonly string[]): TargetField {
  return {
    key: 'externalId',
    column: 'External ID',
    label: 'External ID',
    type: 'text',
    required: true,
    maxLength: 100,
    description: `Identifies the ${noun} among its owner's.`,
    synonyms: ['ID', 'External id', ...synonyms],
  };
}

/** Free text on a record. */
export function notesField(synonyms: readonly string[] = []): TargetField {
  return {
    key: 'notes',
    column: 'Notes',
    label: 'Notes',
    type: 'text',
    required: false,
    maxLength: 5000,
    description: 'Free text.',
    synonyms: ['Note', 'Comment', 'Comments', ...synonyms],
  };
}

/** What a record type declares: its fields and how a row becomes a record. */
export interface RecordSpec {
  type: RecordType;
  name: string;
  label: string;
  description: string;
  /** The field that identifies a record of an owner (unique per owner). */
  keyField: string;
  /** The type's own fields (the owner column is added first). */
  fields: TargetField[];
  /** The field shown as the record's name in lists. */
  titleField: string;
  /** Whether rows refer to one of the owner's customers records (field `customerNumber`). */
  customerRef: 'none' | 'optional' | 'required';
  /**
   * The row's own rules beyond its cells (an end after the start, a date and time read): problems,
   * and the values to store in place of the cells' (by field key).
   */
  read?(row: RowInput): { problems: RowProblem[]; values?: RecordFields };
  /** The field whose value is the record's date, for sorting. */
  dateField?: string;
}

const str = (v: CellValue | undefined): string | null =>
  v === null || v === undefined ? null : Array.isArray(v) ? v.join('; ') : String(v);

function attributeField(def: AttributeDefinition): TargetField {
  return {
    key: `attr.${def.key}`,
    column: def.label,
    label: def.label,
    type: def.type,
    required: false,
    ...(def.type === 'enum' && { allowed: def.options }),
    description: def.description || `Custom attribute (${def.type}).`,
    synonyms: [def.key],
  };
}

/** How a row names its owner: the option when chosen, else the column's header, else the value. */
export function ownerMode(chosen: OwnerBy | undefined, header: string | undefined, value: string): OwnerBy {
  if (chosen) return chosen;
  const h = (header ?? '').toLowerCase();
  if (/mail/.test(h)) return 'email';
  if (/employee|personnel|staff|payroll|number|\bno\b|\bnr\b|#/.test(h)) return 'employeeNumber';
  return value.includes('@') ? 'email' : 'employeeNumber';
}

/** What to check when a value named no user: the email's spelling, or the number in the user's record. */
export function ownerHint(value: string, chosen: OwnerBy | undefined, codes: readonly string[] = []): string {
  if (value === '') return "The owner cell is empty: write the owner's email or employee number.";
  if (codes.includes('owner.ambiguous')) {
    return "Several users have this employee number (each row's problem names them), so it names none of them: tell them apart by email (write each row's owner email in the owner column, and name owners by email on the owner assignment step), or give each of those users their own employee number in their record.";
  }
  return ownerMode(chosen, undefined, value) === 'email'
    ? `No user has this email among the users you may assign to: check its spelling against the user's access email.`
    : "No user has this employee number: check it against the employee number as in the user's record (case and surrounding spaces do not count; leading zeros do).";
}

const ownerLabel = (o: RecordOwner) => (o.displayName ? `${o.email} (${o.displayName})` : o.email);

/**
 * Finds each row's owner among the users the admin may see (`customerId`: the import's customer,
 * or the admin's scope). A user outside it is never found: the row gets the same problem as for an
 * unknown owner, so nothing tells it exists.
 */
async function resolveOwners(
  rows: readonly RowInput[],
  env: RecordsEnv,
  options: Options,
): Promise<{ owners: (RecordOwner | null)[]; problems: RowProblem[][] }> {
  const customerId = env.scopeCustomerId ?? options.customerId;
  const modes = rows.map((r) =>
    ownerMode(options.ownerBy, r.columns[OWNER_FIELD], str(r.values[OWNER_FIELD]) ?? ''),
  );
  const emails = new Set<string>();
  const numbers = new Set<string>();
  rows.forEach((r, i) => {
    const v = str(r.values[OWNER_FIELD]) ?? '';
    if (modes[i] === 'email') emails.add(emailKey(v));
    else numbers.add(employeeNumberKey(v));
  });
  const byEmail = new Map<string, RecordOwner>();
  for (const o of emails.size > 0 ? await env.store.ownersByEmail([...emails], customerId) : [])
    byEmail.set(emailKey(o.email), o);
  const byNumber = new Map<string, RecordOwner[]>();
  for (const o of numbers.size > 0 ? await env.store.ownersByEmployeeNumber([...numbers], customerId) : []) {
    const fold = employeeNumberKey(o.employeeNumber ?? '');
    byNumber.set(fold, [...(byNumber.get(fold) ?? []), o]);
  }
  const owners: (RecordOwner | null)[] = [];
  const problems: RowProblem[][] = [];
  rows.forEach((r, i) => {
    const value = str(r.values[OWNER_FIELD]) ?? '';
    const column = r.columns[OWNER_FIELD] ?? OWNER.column;
    const out: RowProblem[] = [];
    let owner: RecordOwner | null = null;
    if (modes[i] === 'email') {
      owner = byEmail.get(emailKey(value)) ?? null;
      if (!owner) {
        const syntax = checkEmail(value) !== null;
        out.push(
          problem(
            r.row,
            column,
            value,
            'owner.unknown',
            syntax
              ? `"${value}" is not an email address, and owners are named by email here. Write the owner's email, or choose to name owners by employee number.`
              : `No user has the email "${value}". Check its spelling against the user's access email.`,
            'cell',
          ),
        );
      }
    } else {
      const found = byNumber.get(employeeNumberKey(value)) ?? [];
      if (found.length === 1) owner = found[0]!;
      else if (found.length > 1) {
        out.push(
          problem(
            r.row,
            column,
            value,
            'owner.ambiguous',
            `The employee number "${value}" belongs to ${found.length} users: ${found.map(ownerLabel).join(' and ')}. Name the owner by email, or make the number unique in the users' records.`,
            'cell',
          ),
        );
      } else {
        out.push(
          problem(
            r.row,
            column,
            value,
            'owner.unknown',
            `No user has the employee number "${value}". Check the number in the user's record (compared ignoring case and surrounding spaces; leading zeros count).`,
            'cell',
          ),
        );
      }
    }
    owners.push(owner);
    problems.push(out);
  });
  return { owners, problems };
}

/** A row read into the record it would write, once its owner is known. */
interface Resolved {
  key: string;
  fold: string;
  title: string;
  customerRef: string | null;
  date: string | null;
  fields: RecordFields;
  /** Attributes the row gave (an attribute it leaves out is not here). */
  attributes: RecordSnapshot['attributes'];
}

function resolveRow(
  spec: RecordSpec,
  row: RowInput,
  env: RecordsEnv,
): { r: Resolved; problems: RowProblem[] } {
  const own = spec.read?.(row) ?? { problems: [] };
  const problems = [...own.problems];
  const fields: RecordFields = {};
  for (const f of spec.fields) {
    if (f.key === spec.keyField || f.key === CUSTOMER_REF_FIELD) continue;
    if (!(f.key in row.values)) continue;
    fields[f.key] = own.values && f.key in own.values ? own.values[f.key]! : str(row.values[f.key]);
  }
  const attributes: Resolved['attributes'] = {};
  for (const def of env.attributes) {
    const key = `attr.${def.key}`;
    if (!(key in row.values)) continue;
    const read = readAttributeValue({ ...def, required: false }, row.values[key]);
    if (read.ok) attributes[def.key] = read.value;
    else
      problems.push(
        problem(
          row.row,
          row.columns[key] ?? def.label,
          row.raw[key] ?? null,
          read.problem.code,
          read.problem.message,
          'cell',
        ),
      );
  }
  const key = str(row.values[spec.keyField]) ?? '';
  return {
    r: {
      key,
      fold: recordKeyFold(key),
      title: fields[spec.titleField] || key,
      customerRef: str(row.values[CUSTOMER_REF_FIELD]),
      date: spec.dateField ? (fields[spec.dateField] ?? null) : null,
      fields,
      attributes,
    },
    problems,
  };
}

/** The record an update leaves: the row's values over the current ones (an empty cell keeps, or clears). */
function merged(
  spec: RecordSpec,
  current: RecordSnapshot,
  r: Resolved,
  row: RowInput,
  owner: RecordOwner,
  clear: boolean,
): NewRecord {
  const fields: RecordFields = { ...current.fields };
  for (const [k, v] of Object.entries(r.fields)) {
    if (v !== null || clear) fields[k] = v;
  }
  const attributes = { ...current.attributes };
  for (const def of Object.keys(r.attributes)) attributes[def] = r.attributes[def] ?? null;
  for (const [k] of Object.entries(row.values)) {
    if (!k.startsWith('attr.')) continue;
    const name = k.slice(5);
    if (r.attributes[name] === null && !clear) attributes[name] = current.attributes[name] ?? null;
  }
  const ref =
    CUSTOMER_REF_FIELD in row.values
      ? (r.customerRef ?? (clear ? null : current.customerRef))
      : current.customerRef;
  return {
    type: spec.type,
    ownerUserId: owner.id,
    customerId: owner.customerId,
    key: r.key,
    title: fields[spec.titleField] || r.key,
    customerRef: ref,
    date: spec.dateField ? (fields[spec.dateField] ?? null) : null,
    fields,
    attributes,
  };
}

const sameRecord = (a: NewRecord, b: RecordSnapshot) =>
  a.ownerUserId === b.ownerUserId &&
  a.customerId === b.customerId &&
  a.key === b.key &&
  a.title === b.title &&
  a.customerRef === b.customerRef &&
  a.date === b.date &&
  JSON.stringify(sortKeys(a.fields)) === JSON.stringify(sortKeys(b.fields)) &&
  JSON.stringify(sortKeys(a.attributes)) === JSON.stringify(sortKeys(b.attributes));

/** A new record's fields: the defaults of the fields the file has no column for. */
function withDefaults(spec: RecordSpec, fields: RecordFields): RecordFields {
  const out = { ...fields };
  for (const f of spec.fields)
    if (f.default !== undefined && (out[f.key] ?? null) === null) out[f.key] = f.default;
  return out;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The restore point of every record target: undone while the record is at the version the import left. */
export function recordRestorePoint(): RestorePoint<RecordsEnv, RecordSnapshot> {
  return {
    entityType: RECORD_ENTITY,
    undo: (changes, env) =>
      undoAtVersion(
        changes,
        {
          versions: (ids) => env.store.versions(ids),
          remove: (ids) => env.store.remove(ids),
          restore: (befores) => env.store.restore(befores),
        },
        'record',
      ),
  };
}

/** Where a row's record and its owner were found, for the commit (checked just before it). */
interface Plan {
  owner: RecordOwner;
  r: Resolved;
}

/** Checks rows: owner, the type's rules, the customer referred to, the existing record under the mode. */
async function checkRows(
  spec: RecordSpec,
  rows: readonly RowInput[],
  env: RecordsEnv,
  options: Options,
): Promise<{ checked: CheckedRow[]; plans: (Plan | null)[] }> {
  const { owners, problems: ownerProblems } = await resolveOwners(rows, env, options);
  const resolved = rows.map((row) => resolveRow(spec, row, env));
  const keys = rows.flatMap((_, i) => {
    const owner = owners[i];
    return owner ? [{ ownerId: owner.id, fold: resolved[i]!.r.fold }] : [];
  });
  const existing = keys.length > 0 ? await env.store.findByKeys(spec.type, keys) : new Map<string, number>();
  const refs = rows.flatMap((_, i) => {
    const owner = owners[i];
    const ref = resolved[i]!.r.customerRef;
    return owner && ref !== null && spec.customerRef !== 'none'
      ? [{ ownerId: owner.id, fold: recordKeyFold(ref) }]
      : [];
  });
  const customers =
    refs.length > 0 ? await env.store.findByKeys('customers', refs) : new Map<string, number>();

  const plans: (Plan | null)[] = [];
  const checked = rows.map((row, i): CheckedRow => {
    const owner = owners[i] ?? null;
    const { r, problems: own } = resolved[i]!;
    const problems = [...ownerProblems[i]!, ...own];
    if (owner && r.customerRef !== null && spec.customerRef !== 'none') {
      if (!customers.has(`${owner.id}:${recordKeyFold(r.customerRef)}`)) {
        problems.push(
          problem(
            row.row,
            row.columns[CUSTOMER_REF_FIELD] ?? 'Customer number',
            r.customerRef,
            'record.customer_unknown',
            `${owner.email} has no customer with the number "${r.customerRef}". Import that customer for this owner first (a customer counts once its import is committed), or correct the number.`,
            'row',
          ),
        );
      }
    }
    const group = owner?.id ?? null;
    if (!owner || problems.some((p) => p.severity === 'error')) {
      plans.push(null);
      return { problems, action: null, group };
    }
    plans.push({ owner, r });
    const id = existing.get(`${owner.id}:${r.fold}`);
    const what = spec.label.toLowerCase();
    if (id === undefined) {
      return options.mode === 'update'
        ? {
            problems,
            action: 'skip',
            skipReason: `${owner.email} has no ${what} record "${r.key}" to update.`,
            group,
          }
        : { problems, action: 'create', group };
    }
    return options.mode === 'insert'
      ? {
          problems,
          action: 'skip',
          skipReason: `${owner.email} has a ${what} record "${r.key}" already.`,
          existingId: id,
          group,
        }
      : { problems, action: 'update', existingId: id, group };
  });
  return { checked, plans };
}

/** The import target of a record type: the type's declaration with everything owners bring. */
export function ownedRecordTarget(spec: RecordSpec): ImportTarget<RecordsEnv, RecordOptions, RecordSnapshot> {
  const keyField = spec.fields.find((f) => f.key === spec.keyField);
  if (!keyField) throw new Error(`The ${spec.name} target has no key field ${spec.keyField}.`);
  const fields: TargetField[] = [
    OWNER,
    ...spec.fields.map((f) =>
      f.key === spec.keyField
        ? { ...f, uniqueInFile: true, uniqueWithin: { fields: [OWNER_FIELD], description: 'the same owner' } }
        : f,
    ),
  ];
  return {
    name: spec.name,
    label: spec.label,
    description: spec.description,
    modes: ['insert', 'update', 'upsert'],
    keyField: spec.keyField,
    options: { schema: recordOptionsSchema },
    restorePoint: recordRestorePoint(),
    groupedBy: {
      field: OWNER_FIELD,
      noun: 'user',
      async resolve(rows, env, options) {
        return (await resolveOwners(rows, env, options)).owners.map((o) => o?.id ?? null);
      },
      hint: (value, options, codes) => ownerHint(value, options.ownerBy, codes),
    },

    fields: (env) => [...fields, ...env.attributes.map(attributeField)],

    async check(rows, env, options) {
      return (await checkRows(spec, rows, env, options)).checked;
    },

    async existing(env, after, limit) {
      const page = await env.store.page(spec.type, after, limit, env.scopeCustomerId);
      return page.map((rec) => {
        const cells: Record<string, string> = { [OWNER_FIELD]: rec.ownerEmail, [spec.keyField]: rec.key };
        for (const f of spec.fields) {
          if (f.key === spec.keyField) continue;
          if (f.key === CUSTOMER_REF_FIELD) cells[f.key] = rec.customerRef ?? '';
          else cells[f.key] = rec.fields[f.key] ?? '';
        }
        for (const def of env.attributes) {
          const v = rec.attributes[def.key];
          cells[`attr.${def.key}`] = v === null || v === undefined ? '' : String(v);
        }
        return { cursor: rec.id, cells };
      });
    },

    async commit(rows, env, options, importId) {
      const { plans } = await checkRows(spec, rows, env, options);
      const clear = options.emptyCells === 'clear';
      const results: RowResult<RecordSnapshot>[] = new Array(rows.length);
      const creates: { i: number; record: NewRecord }[] = [];
      const updateIds = rows
        .filter((r) => r.action === 'update' && r.existingId !== null)
        .map((r) => r.existingId!);
      const current =
        updateIds.length > 0 ? await env.store.snapshots(updateIds) : new Map<number, RecordSnapshot>();
      const updates: { i: number; before: RecordSnapshot; after: NewRecord }[] = [];
      rows.forEach((row, i) => {
        const plan = plans[i];
        if (!plan) {
          results[i] = {
            row: row.row,
            action: 'failed',
            entityId: null,
            message: 'The row changed meaning since it was checked.',
          };
          return;
        }
        const { owner, r } = plan;
        if (row.action === 'create') {
          creates.push({
            i,
            record: {
              type: spec.type,
              ownerUserId: owner.id,
              customerId: owner.customerId,
              key: r.key,
              title: r.title,
              customerRef: r.customerRef,
              date: r.date,
              fields: withDefaults(spec, r.fields),
              attributes: r.attributes,
            },
          });
          return;
        }
        const before = current.get(row.existingId!);
        if (!before) {
          results[i] = {
            row: row.row,
            action: 'failed',
            entityId: null,
            message: 'The record was deleted meanwhile.',
          };
          return;
        }
        const after = merged(spec, before, r, row, owner, clear);
        if (sameRecord(after, before)) {
          results[i] = {
            row: row.row,
            action: 'unchanged',
            entityId: before.id,
            message: `Owner ${owner.email}.`,
          };
          return;
        }
        updates.push({ i, before, after });
      });
      const ids =
        creates.length > 0
          ? await env.store.insert(
              creates.map((c) => c.record),
              importId,
            )
          : [];
      creates.forEach((c, n) => {
        results[c.i] = {
          row: rows[c.i]!.row,
          action: 'created',
          entityId: ids[n]!,
          message: `Owner ${plans[c.i]!.owner.email}.`,
          restore: { change: 'created', before: null, versionAfter: 1 },
        };
      });
      if (updates.length > 0) await env.store.update(updates, importId);
      for (const u of updates) {
        results[u.i] = {
          row: rows[u.i]!.row,
          action: 'updated',
          entityId: u.before.id,
          message: `Owner ${plans[u.i]!.owner.email}.`,
          restore: { change: 'updated', before: u.before, versionAfter: u.before.version + 1 },
        };
      }
      return results;
    },
  };
}
