import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../src/core/domain/changes.js';
import type { NewUser } from '../../src/core/domain/user.js';
import { userDiff } from '../../src/core/domain/user-diff.js';

const dir = {
  customers: [
    { id: 1, name: 'Acme' },
    { id: 2, name: 'Globex' },
  ],
  sites: [
    { id: 10, name: 'HQ' },
    { id: 11, name: 'North' },
  ],
  roles: [
    { id: 100, name: 'Manager' },
    { id: 101, name: 'Engineer' },
  ],
  groups: [{ id: 200, name: 'Field' }],
  attributes: [{ key: 'cost_center', label: 'Cost center' }],
};

const ann: NewUser = {
  email: 'ann@acme.example',
  username: 'ann',
  firstName: 'Ann',
  lastName: 'Smith',
  displayName: 'Ann Smith',
  customerId: 1,
  siteId: 10,
  contactId: null,
  userType: 'Standard',
  accessLevel: null,
  employeeNumber: '0042',
  attributes: { cost_center: 'A1' },
  status: 'pending',
  roleIds: [100],
  groupIds: [],
};

describe('a user diff', () => {
  it('is empty when nothing changes, memberships in any order', () => {
    expect(userDiff(ann, { ...ann, roleIds: [100], attributes: { cost_center: 'A1' } }, dir)).toEqual([]);
    const two = { ...ann, roleIds: [100, 101] };
    expect(userDiff(two, { ...two, roleIds: [101, 100] }, dir)).toEqual([]);
  });

  it('names ids, keeps the model order, then attributes, roles and groups', () => {
    const changes = userDiff(
      ann,
      {
        ...ann,
        lastName: 'Smyth',
        siteId: 11,
        accessLevel: 'Gold',
        attributes: {},
        status: 'disabled',
        roleIds: [101],
        groupIds: [200],
      },
      dir,
    );
    expect(changes).toEqual([
      { field: 'last_name', label: 'Last name', before: 'Smith', after: 'Smyth' },
      { field: 'site', label: 'Site', before: 'HQ', after: 'North' },
      { field: 'access_level', label: 'Access level', before: null, after: 'Gold' },
      { field: 'status', label: 'Status', before: 'pending', after: 'disabled' },
      { field: 'attributes.cost_center', label: 'Cost center', before: 'A1', after: null },
      { field: 'roles', label: 'Roles', added: ['Engineer'], removed: ['Manager'] },
      { field: 'groups', label: 'Groups', added: ['Field'], removed: [] },
    ]);
    expect(describeChanges(changes)).toBe(
      'last_name: Smith → Smyth; site: HQ → North; access_level: (empty) → Gold; status: pending → disabled; attributes.cost_center: A1 → (empty); roles: +Engineer -Manager; groups: +Field',
    );
  });
});
