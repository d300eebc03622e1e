import { SYSTEM_ACTOR } from '../core/access/policy.js';
import { NEW_USER_STATUSES, type UserStatus } from '../core/domain/user.js';
import { findCustomerByNameKey, listSites } from '../storage/queries/customers.js';
import { updateUser as writeUser } from '../storage/queries/user-writes.js';
import { createAttribute } from './attributes.js';
import { createContact } from './contacts.js';
import type { AppContext } from './context.js';
import { createCustomer, createSite } from './customers.js';
import { createGroup, createRole } from './roles.js';
import { createUser } from './users/create-user.js';

export interface DemoSummary {
  created: boolean;
  customers: number;
  users: number;
  contacts: number;
}

const CUSTOMERS = [
  { name: 'Acme Facilities', externalId: 'ACC-1001', sites: ['North', 'South'] },
  { name: 'Globex Services', externalId: 'ACC-1002', sites: ['Depot'] },
  { name: 'Initech', externalId: 'ACC-1003', sites: [] },
];

const ROLES = [
  { name: 'Manager', active: true, description: 'Approves work and sees reports' },
  { name: 'Engineer', active: true, description: 'Works on assigned jobs' },
  { name: 'Finance', active: true, description: 'Sees invoices and quotes' },
  { name: 'Viewer', active: true, description: 'Read-only portal access' },
  { name: 'Legacy Approver', active: false, description: 'Retired; kept for history' },
];

const PEOPLE: { first: string; last: string; status: UserStatus; roles: string[]; customer: number }[] = [
  { first: 'Ada', last: 'Lovelace', status: 'active', roles: ['Manager'], customer: 0 },
  { first: 'Grace', last: 'Hopper', status: 'active', roles: ['Engineer'], customer: 0 },
  { first: 'Alan', last: 'Turing', status: 'pending', roles: ['Engineer'], customer: 0 },
  { first: 'Edsger', last: 'Dijkstra', status: 'expired', roles: ['Viewer'], customer: 0 },
  { first: 'Barbara', last: 'Liskov', status: 'disabled', roles: ['Finance'], customer: 1 },
  { first: 'Ken', last: 'Thompson', status: 'blocked', roles: ['Viewer'], customer: 1 },
  { first: 'Margaret', last: 'Hamilton', status: 'active', roles: ['Manager', 'Finance'], customer: 1 },
  { first: 'Donald', last: 'Knuth', status: 'pending', roles: ['Viewer'], customer: 2 },
];

/** CRM-style 18-character ids, as a CRM sync would have stored them. */
const CONTACTS = [
  {
    first: 'Linus',
    last: 'Torvalds',
    email: 'linus.torvalds@acme.example',
    externalId: '0035g00000AbCdEAAV',
    customer: 0,
  },
  {
    first: 'Radia',
    last: 'Perlman',
    email: 'radia.perlman@acme.example',
    externalId: '0035g00000AbCdFAAV',
    customer: 0,
  },
  {
    first: 'Dennis',
    last: 'Ritchie',
    email: 'dennis.ritchie@globex.example',
    externalId: '0035g00000AbCdGAAV',
    customer: 1,
  },
  { first: 'Frances', last: 'Allen', email: null, externalId: '0035g00000AbCdHAAV', customer: 1 },
  {
    first: 'John',
    last: 'Backus',
    email: 'john.backus@initech.example',
    externalId: '0035g00000AbCdIAAV',
    customer: 2,
  },
];

/**
 * A small, believable data set so that a newcomer has customers, sites, roles (one inactive),
 * groups, custom attributes, contacts with CRM ids and users in every status to import against.
 * Runs once: a second call finds the demo customers and changes nothing.
 */
export async function seedDemo(ctx: AppContext): Promise<DemoSummary> {
  if (await findCustomerByNameKey(ctx.db, CUSTOMERS[0]!.name.toLowerCase())) {
    return { created: false, customers: 0, users: 0, contacts: 0 };
  }
  const actor = SYSTEM_ACTOR;
  const customers = [];
  for (const c of CUSTOMERS) {
    const customer = await createCustomer(ctx, actor, { name: c.name, externalId: c.externalId });
    for (const site of c.sites) await createSite(ctx, actor, customer.id, { name: site });
    customers.push(customer);
  }
  const roles = new Map<string, number>();
  for (const r of ROLES) roles.set(r.name, (await createRole(ctx, actor, r)).id);
  const fieldTeam = await createGroup(ctx, actor, {
    name: 'Field Team',
    description: 'Engineers on site',
    roleIds: [roles.get('Engineer')!],
  });
  await createGroup(ctx, actor, {
    name: 'Management',
    description: 'Managers and finance',
    roleIds: [roles.get('Manager')!, roles.get('Finance')!],
  });
  await createAttribute(ctx, actor, {
    key: 'department',
    label: 'Department',
    type: 'enum',
    options: ['Operations', 'Finance', 'Sales', 'Support'],
  });
  await createAttribute(ctx, actor, { key: 'start_date', label: 'Start date', type: 'date' });
  await createAttribute(ctx, actor, { key: 'cost_centre', label: 'Cost centre', type: 'text' });

  let employee = 1;
  for (const p of PEOPLE) {
    const customer = customers[p.customer]!;
    const sites = await listSites(ctx.db, customer.id);
    const site = sites[employee % sites.length]!;
    const domain = customer.name.split(' ')[0]!.toLowerCase();
    const user = await createUser(ctx, actor, {
      email: `${p.first}.${p.last}@${domain}.example`.toLowerCase(),
      firstName: p.first,
      lastName: p.last,
      customerId: customer.id,
      siteId: site.id,
      userType: p.roles.includes('Manager') ? 'Privileged' : 'Standard',
      employeeNumber: String(employee++).padStart(6, '0'),
      attributes: {
        department: p.roles.includes('Finance') ? 'Finance' : 'Operations',
        start_date: '2024-01-15',
      },
      status: NEW_USER_STATUSES.includes(p.status) ? p.status : 'pending',
      roleIds: p.roles.map((name) => roles.get(name)!),
      groupIds: p.roles.includes('Engineer') ? [fieldTeam.id] : [],
    });
    // Users are created pending or active. `expired` is the system's verdict on an unused
    // invitation, `disabled` the disable action, `blocked` a status kept from earlier systems: set
    // them as the sweep, the action and a migrated directory would.
    if (!NEW_USER_STATUSES.includes(p.status))
      await writeUser(ctx.db, user.id, { status: p.status }, ctx.now().toISOString());
  }
  for (const c of CONTACTS) {
    await createContact(ctx, actor, {
      customerId: customers[c.customer]!.id,
      firstName: c.first,
      lastName: c.last,
      email: c.email,
      externalId: c.externalId,
    });
  }
  return { created: true, customers: customers.length, users: PEOPLE.length, contacts: CONTACTS.length };
}
