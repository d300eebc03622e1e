import type { AttributeValue } from './attributes.js';
import type { FieldChange } from './changes.js';
import { type NewUser, USER_COLUMNS, USER_FIELDS, type UserField } from './user.js';

/** How each value of a user is named for people; a new column of the model needs its label here. */
const USER_LABELS: Record<Exclude<UserField, 'attributes'>, string> = {
  email: 'Email',
  username: 'Username',
  firstName: 'First name',
  lastName: 'Last name',
  displayName: 'Display name',
  customerId: 'Customer',
  siteId: 'Site',
  contactId: 'Contact',
  userType: 'User type',
  accessLevel: 'Access level',
  employeeNumber: 'Employee number',
  status: 'Status',
};

/** The directory a diff names ids by (the users target's directory has this shape). */
export interface DiffDirectory {
  customers: readonly { id: number; name: string }[];
  sites: readonly { id: number; name: string }[];
  roles: readonly { id: number; name: string }[];
  groups: readonly { id: number; name: string }[];
  attributes: readonly { key: string; label: string }[];
}

/** Names by id, made once per directory (a batch of rows compares thousands of users with it). */
interface Names {
  customers: Map<number, string>;
  sites: Map<number, string>;
  roles: Map<number, string>;
  groups: Map<number, string>;
  attributes: Map<string, string>;
}
const namesOf = new WeakMap<DiffDirectory, Names>();
function names(dir: DiffDirectory): Names {
  let found = namesOf.get(dir);
  if (!found) {
    const byId = (list: readonly { id: number; name: string }[]) => new Map(list.map((x) => [x.id, x.name]));
    found = {
      customers: byId(dir.customers),
      sites: byId(dir.sites),
      roles: byId(dir.roles),
      groups: byId(dir.groups),
      attributes: new Map(dir.attributes.map((a) => [a.key, a.label])),
    };
    namesOf.set(dir, found);
  }
  return found;
}

const attributeText = (v: AttributeValue | undefined): string | null =>
  v === null || v === undefined ? null : String(v);

/**
 * The fields a change takes a user from `before` to `after`, in the model's order, then custom
 * attributes, roles and groups (added and removed by name). Empty when nothing changes.
 */
export function userDiff(before: NewUser, after: NewUser, dir: DiffDirectory): FieldChange[] {
  const n = names(dir);
  const out: FieldChange[] = [];
  const named = (map: Map<number, string>, id: number | null) =>
    id === null ? null : (map.get(id) ?? `#${id}`);
  for (const f of USER_FIELDS) {
    if (f === 'attributes') continue;
    const a = before[f];
    const b = after[f];
    if (a === b) continue;
    const field = USER_COLUMNS[f].column.replace(/_id$/, '');
    const label = USER_LABELS[f];
    const text = (v: typeof a): string | null =>
      f === 'customerId'
        ? named(n.customers, v as number)
        : f === 'siteId'
          ? named(n.sites, v as number)
          : v === null
            ? null
            : String(v);
    out.push({ field, label, before: text(a), after: text(b) });
  }
  const keys = new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)]);
  for (const key of [...keys].sort()) {
    const a = before.attributes[key];
    const b = after.attributes[key];
    if (a === b || (a ?? null) === (b ?? null)) continue;
    out.push({
      field: `attributes.${key}`,
      label: n.attributes.get(key) ?? key,
      before: attributeText(a),
      after: attributeText(b),
    });
  }
  const list = (field: 'roles' | 'groups', label: string, a: readonly number[], b: readonly number[]) => {
    const map = field === 'roles' ? n.roles : n.groups;
    const had = new Set(a);
    const has = new Set(b);
    const added = b.filter((id) => !had.has(id)).map((id) => named(map, id)!);
    const removed = a.filter((id) => !has.has(id)).map((id) => named(map, id)!);
    if (added.length + removed.length > 0) out.push({ field, label, added, removed });
  };
  list('roles', 'Roles', before.roleIds, after.roleIds);
  list('groups', 'Groups', before.groupIds, after.groupIds);
  return out;
}
