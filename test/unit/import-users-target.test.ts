import { describe, expect, it } from 'vitest';
import { emailKey } from '../../src/core/domain/email.js';
import { employeeNumberKey, optionalTexts } from '../../src/core/domain/user.js';
import { usernameKey } from '../../src/core/domain/username.js';
import { commitRows, markDuplicates, stageRows } from '../../src/core/import/engine.js';
import { autoMap } from '../../src/core/import/mapping.js';
import { DEFAULT_OPTIONS, type GeneralOptions } from '../../src/core/import/target.js';
import type { DeletedUser } from '../../src/core/import/targets/user-actions.js';
import { type UsersOptions, usersOptionsSchema } from '../../src/core/import/targets/user-options.js';
import {
  type NewUser,
  type UserSnapshot,
  type UsersEnv,
  type UsersStore,
  usersTarget,
} from '../../src/core/import/targets/users.js';
import type { FileRow } from '../../src/core/import/validate.js';
import { MemoryStaging } from './support/memory-import.js';

/** The users target against a directory and a store in memory. */
class MemoryUsers implements UsersStore {
  users = new Map<number, UserSnapshot>();
  next = 1;
  add(u: Partial<NewUser> & { email: string }): UserSnapshot {
    const snap: UserSnapshot = {
      id: this.next++,
      username: u.email.split('@')[0]!,
      firstName: '',
      lastName: '',
      displayName: u.email,
      customerId: 1,
      siteId: 10,
      contactId: null,
      userType: 'Standard',
      ...optionalTexts(() => null),
      attributes: {},
      status: 'active',
      roleIds: [],
      groupIds: [],
      version: 1,
      ...u,
    };
    this.users.set(snap.id, snap);
    return snap;
  }
  async findByEmailKeys(keys: readonly string[]) {
    const out = new Map<string, { id: number; customerId: number; usernameKey: string }>();
    for (const u of this.users.values())
      if (keys.includes(emailKey(u.email)))
        out.set(emailKey(u.email), {
          id: u.id,
          customerId: u.customerId,
          usernameKey: usernameKey(u.username),
        });
    return out;
  }
  async findByEmployeeNumbers(keys: readonly string[]) {
    const out = new Map<string, { id: number; customerId: number; usernameKey: string; email: string }[]>();
    for (const u of this.users.values()) {
      const key = u.employeeNumber === null ? null : employeeNumberKey(u.employeeNumber);
      if (key === null || !keys.includes(key)) continue;
      const ref = {
        id: u.id,
        customerId: u.customerId,
        usernameKey: usernameKey(u.username),
        email: u.email,
      };
      out.set(key, [...(out.get(key) ?? []), ref]);
    }
    return out;
  }
  async holdEmployeeNumbers() {}
  async createGroups(): Promise<{ id: number; name: string }[]> {
    return [];
  }
  async findUsernameKeys(keys: readonly string[]) {
    const out = new Map<string, number>();
    for (const u of this.users.values())
      if (keys.includes(usernameKey(u.username))) out.set(usernameKey(u.username), u.id);
    return out;
  }
  async usernameKeysWithPrefix(prefix: string) {
    return new Set(
      [...this.users.values()].map((u) => usernameKey(u.username)).filter((k) => k.startsWith(prefix)),
    );
  }
  async findContacts() {
    return new Map();
  }
  async snapshots(ids: readonly number[]) {
    return new Map(
      ids.flatMap((id) => (this.users.has(id) ? [[id, { ...this.users.get(id)! }] as const] : [])),
    );
  }
  async insert(users: readonly NewUser[]) {
    const out = new Map<string, number>();
    for (const u of users) out.set(emailKey(u.email), this.add(u).id);
    return out;
  }
  async update(changes: readonly { before: UserSnapshot; after: NewUser }[]) {
    for (const { before, after } of changes)
      this.users.set(before.id, { ...after, id: before.id, version: before.version + 1 });
  }
  async page() {
    return [];
  }
  async versions(ids: readonly number[]) {
    return new Map(
      ids.flatMap((id) => {
        const u = this.users.get(id);
        return u ? [[id, { version: u.version, email: u.email }] as const] : [];
      }),
    );
  }
  async remove(ids: readonly number[]) {
    for (const id of ids) this.users.delete(id);
  }
  async restore(snapshots: readonly UserSnapshot[]) {
    for (const s of snapshots)
      this.users.set(s.id, { ...s, version: (this.users.get(s.id)?.version ?? 0) + 1 });
  }
  async rowExtras(ids: readonly number[]) {
    const at = '2026-01-01T00:00:00.000Z';
    return new Map(
      ids
        .filter((id) => this.users.has(id))
        .map((id) => [
          id,
          {
            passwordHash: null,
            activatedAt: null,
            createdAt: at,
            updatedAt: at,
            importId: null,
            createdByImportId: null,
          },
        ]),
    );
  }
  async ownedRecords(_ids: readonly number[]) {
    return new Map<number, number>();
  }
  async reinsert(users: readonly DeletedUser[]) {
    const back = new Set<number>();
    for (const { row: _row, ...u } of users) {
      if (this.users.has(u.id)) continue;
      this.users.set(u.id, u);
      back.add(u.id);
    }
    return back;
  }
}

function env(store: MemoryUsers, scopeCustomerId: number | null = null): UsersEnv {
  return {
    store,
    scopeCustomerId,
    directory: {
      customers: [
        { id: 1, name: 'Acme', externalId: 'ACME-1' },
        { id: 2, name: 'Globex', externalId: null },
      ],
      sites: [
        { id: 10, customerId: 1, name: 'HQ' },
        { id: 11, customerId: 1, name: 'Lyon' },
        { id: 20, customerId: 2, name: 'HQ' },
      ],
      roles: [
        { id: 100, name: 'Manager', active: true },
        { id: 101, name: 'Old', active: false },
      ],
      groups: [{ id: 200, name: 'Sales' }],
      attributes: [],
    },
  };
}

async function run(
  store: MemoryUsers,
  header: string[],
  cells: string[][],
  options: Partial<GeneralOptions & UsersOptions> = {},
  scope: number | null = null,
) {
  const e = env(store, scope);
  const fields = usersTarget.fields(e);
  const plan = {
    target: usersTarget,
    env: e,
    fields,
    header,
    mapping: autoMap(header, fields),
    // What the target reads: the general options with its own beside them, defaults filled in.
    options: { ...DEFAULT_OPTIONS, ...usersOptionsSchema.parse({}), customerId: 1, ...options },
  };
  const staging = new MemoryStaging();
  async function* rows(): AsyncGenerator<FileRow> {
    let row = 2;
    for (const c of cells) yield { row: row++, cells: c };
  }
  await stageRows(plan, rows(), staging);
  await markDuplicates(plan, staging);
  return { plan, staging };
}

describe('the users target, in memory', () => {
  it('finds roles case-sensitively with a suggestion, refuses inactive roles and unknown sites', async () => {
    const { staging } = await run(
      new MemoryUsers(),
      ['Email', 'Roles', 'Site'],
      [
        ['a@x.example', 'Manager', 'Lyon'],
        ['b@x.example', 'manager', ''],
        ['c@x.example', 'Old', 'Paris'],
      ],
    );
    expect(staging.codes(2)).toEqual([]);
    expect(staging.codes(3)).toEqual(['role.unknown']);
    expect(staging.rows.get(3)!.problems[0]!.message).toContain('Did you mean "Manager"?');
    expect(staging.codes(4).sort()).toEqual(['role.inactive', 'site.not_found']);
  });

  it('reports every problem of a row at once: a bad cell does not hide the directory checks', async () => {
    const { staging } = await run(
      new MemoryUsers(),
      ['Email', 'Roles', 'Site', 'Groups'],
      [['not-an-email', 'manager', 'Paris', 'sales-team']],
    );
    const problems = staging.rows.get(2)!.problems;
    expect(problems.map((p) => p.code).sort()).toEqual([
      'email.invalid',
      'group.unknown',
      'role.unknown',
      'site.not_found',
    ]);
    // A suggestion travels with its problem, so that a fix can apply it.
    expect(problems.find((p) => p.code === 'role.unknown')!.suggestion).toBe('Manager');
    expect(staging.rows.get(2)!.action).toBeNull();
  });

  it('refuses a new user created disabled, a taken username, and a user of another customer when scoped', async () => {
    const store = new MemoryUsers();
    store.add({ email: 'taken@x.example', username: 'taken' });
    store.add({ email: 'other@globex.example', customerId: 2, siteId: 20 });
    const { staging } = await run(
      store,
      ['Email', 'Username', 'Status'],
      [
        ['new@x.example', '', 'disabled'],
        ['new2@x.example', 'Taken', ''],
        ['other@globex.example', '', ''],
      ],
      {},
      1,
    );
    expect(staging.codes(2)).toEqual(['status.not_for_new_users']);
    expect(staging.codes(3)).toEqual(['username.taken']);
    expect(staging.codes(4)).toEqual(['user.exists_elsewhere']);
  });

  it('commits: usernames made from the email with a counter, updates only what the file says', async () => {
    const store = new MemoryUsers();
    store.add({ email: 'ann@x.example', username: 'ann', firstName: 'Ann', lastName: 'Old' });
    const { plan, staging } = await run(
      store,
      ['Email', 'Last name'],
      [
        ['ann@x.example', 'New'],
        ['ann@y.example', 'Other'],
        ['ann@z.example', ''],
      ],
    );
    const results = new Map<number, string>();
    await commitRows(
      plan,
      {
        readValid: async (after, limit) => staging.valid(after, limit),
        transaction: (work) =>
          work({
            env: plan.env,
            readValid: async (after, limit) => staging.valid(after, limit),
            saveResults: async (rs) => {
              for (const r of rs) results.set(r.row, r.action);
            },
          }),
        cancelled: async () => false,
        interrupted: () => false,
        progress: async () => {},
        batchTimeMs: 1000,
      },
      1,
      0,
      0,
    );
    expect([...results.entries()]).toEqual([
      [2, 'updated'],
      [3, 'created'],
      [4, 'created'],
    ]);
    const all = [...store.users.values()];
    expect(all.find((u) => u.email === 'ann@x.example')).toMatchObject({ firstName: 'Ann', lastName: 'New' });
    expect(all.map((u) => u.username).sort()).toEqual(['ann', 'ann2', 'ann3']);
    expect(all.find((u) => u.email === 'ann@y.example')).toMatchObject({ siteId: 10, status: 'pending' });
  });
});
