import { performance } from 'node:perf_hooks';
import { CompiledQuery, sql } from 'kysely';
import { createCustomer, createSite } from '../src/app/customers.js';
import { createRole } from '../src/app/roles.js';
import { SYSTEM_ACTOR } from '../src/core/access/policy.js';
import { foldKey } from '../src/core/domain/text.js';
import { listSites } from '../src/storage/queries/customers.js';
import { FIRST_NAMES, LAST_NAMES, localPart, pick, rng, UniqueNames, weighted } from './lib/people.js';
import type { Target } from './lib/targets.js';

/** Customers of very different sizes, as a portal really has: one large account, a long tail. */
const CUSTOMERS = [
  {
    name: 'Northwind Logistics',
    domain: 'northwind.example',
    weight: 30,
    sites: ['Berlin', 'Hamburg', 'Munich'],
  },
  {
    name: 'Contoso Facilities',
    domain: 'contoso.example',
    weight: 20,
    sites: ['London', 'Leeds', 'Bristol'],
  },
  { name: 'Fabrikam Industries', domain: 'fabrikam.example', weight: 12, sites: ['Lyon', 'Toulouse'] },
  { name: 'Tailspin Services', domain: 'tailspin.example', weight: 10, sites: ['Madrid', 'Valencia'] },
  { name: 'Litware Health', domain: 'litware.example', weight: 8, sites: ['Oslo'] },
  { name: 'Adventure Works', domain: 'adventure-works.example', weight: 6, sites: ['Denver', 'Austin'] },
  { name: 'Woodgrove Bank', domain: 'woodgrove.example', weight: 5, sites: [] },
  { name: 'Proseware', domain: 'proseware.example', weight: 4, sites: ['Warsaw'] },
  { name: 'Wingtip Toys', domain: 'wingtiptoys.example', weight: 2.5, sites: [] },
  { name: 'Coho Winery', domain: 'cohowinery.example', weight: 1.5, sites: [] },
  { name: 'Alpine Ski House', domain: 'alpineskihouse.example', weight: 0.7, sites: [] },
  { name: 'Lucerne Publishing', domain: 'lucernepublishing.example', weight: 0.3, sites: [] },
];

/** Portal roles with how often each is given; one is retired (inactive). */
const ROLES = [
  { name: 'Portal User', weight: 35, active: true },
  { name: 'Requester', weight: 15, active: true },
  { name: 'Engineer', weight: 10, active: true },
  { name: 'Approver', weight: 8, active: true },
  { name: 'Reports', weight: 8, active: true },
  { name: 'Manager', weight: 6, active: true },
  { name: 'Finance', weight: 5, active: true },
  { name: 'Dispatcher', weight: 4, active: true },
  { name: 'Auditor', weight: 2, active: true },
  { name: 'Legacy Approver', weight: 1, active: false },
];

const STATUSES = ['active', 'pending', 'expired', 'disabled'] as const;
const STATUS_WEIGHTS = [55, 20, 12, 13];
/** Share of users per number of roles: none, one, two. */
const ROLE_COUNT_WEIGHTS = [30, 50, 20];
/** Users are created over two years, oldest first (ids and created_at grow together, as in life). */
const FROM = Date.parse('2023-07-01T00:00:00Z');
const SPAN = 2 * 365 * 24 * 3_600_000;

export interface SeedCustomer {
  id: number;
  name: string;
  domain: string;
  weight: number;
  siteIds: number[];
}

export interface World {
  customers: SeedCustomer[];
  roles: { id: number; name: string; weight: number }[];
}

/** Customers, sites and roles through the service's own use cases, as an admin would create them. */
export async function createWorld(target: Target): Promise<World> {
  const { ctx } = target;
  const customers: SeedCustomer[] = [];
  for (const [i, c] of CUSTOMERS.entries()) {
    const customer = await createCustomer(ctx, SYSTEM_ACTOR, { name: c.name, externalId: `ACC-${1001 + i}` });
    for (const site of c.sites) await createSite(ctx, SYSTEM_ACTOR, customer.id, { name: site });
    const siteIds = (await listSites(ctx.db, customer.id)).map((s) => s.id);
    customers.push({ id: customer.id, name: c.name, domain: c.domain, weight: c.weight, siteIds });
  }
  const roles: World['roles'] = [];
  for (const r of ROLES) {
    const role = await createRole(ctx, SYSTEM_ACTOR, { name: r.name, active: r.active });
    roles.push({ id: role.id, name: r.name, weight: r.weight });
  }
  return { customers, roles };
}

/** The import the newest users are stamped with (no imports row: the list filters by the column). */
export const LATEST_IMPORT_ID = 1;

/** The users table's columns in the order both seeders write them. */
const COLUMNS = [
  ['id', 'int4'],
  ['email', 'text'],
  ['email_key', 'text'],
  ['username', 'text'],
  ['username_key', 'text'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['last_name_key', 'text'],
  ['display_name', 'text'],
  ['display_name_key', 'text'],
  ['customer_id', 'int4'],
  ['site_id', 'int4'],
  ['user_type', 'text'],
  ['access_level', 'text'],
  ['employee_number', 'text'],
  ['attributes', 'text'],
  ['status', 'text'],
  ['activated_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['version', 'int4'],
  ['import_id', 'int4'],
] as const;

type Cell = string | number | null;

interface GeneratedUser {
  values: Cell[];
  roleIds: number[];
}

/** Makes users 1..n in order; ids are given explicitly so that role rows need no read-back. */
function userGenerator(world: World, n: number, seed = 42) {
  const random = rng(seed);
  const names = new UniqueNames();
  const customerWeights = world.customers.map((c) => c.weight);
  const roleWeights = world.roles.map((r) => r.weight);
  let id = 0;
  return (): GeneratedUser => {
    id++;
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    const customer = world.customers[weighted(random, customerWeights)]!;
    // The default site (HQ, the first) holds about half of a customer's users.
    const siteIds = customer.siteIds;
    const siteId = random() < 0.5 || siteIds.length === 1 ? siteIds[0]! : pick(random, siteIds.slice(1));
    const username = names.take(localPart(random, first, last));
    // Most addresses are the company's; some people register with a private one.
    const domain = random() < 0.1 ? 'mail.example' : customer.domain;
    const local = random() < 0.15 ? username.replace(/^[a-z]/, (ch) => ch.toUpperCase()) : username;
    const email = `${local}@${domain}`;
    const status = STATUSES[weighted(random, STATUS_WEIGHTS)]!;
    const createdMs = FROM + ((id - 1 + random()) / n) * SPAN;
    const createdAt = new Date(createdMs).toISOString();
    const updatedAt = new Date(createdMs + random() * 30 * 86_400_000).toISOString();
    const activatedAt =
      status === 'active' || status === 'disabled'
        ? new Date(createdMs + random() * 86_400_000).toISOString()
        : null;
    const displayName = `${first} ${last}`;
    const roleCount = weighted(random, ROLE_COUNT_WEIGHTS);
    const roleIds: number[] = [];
    while (roleIds.length < roleCount) {
      const roleId = world.roles[weighted(random, roleWeights)]!.id;
      if (!roleIds.includes(roleId)) roleIds.push(roleId);
    }
    const values: Cell[] = [
      id,
      email,
      foldKey(email),
      username,
      foldKey(username),
      first,
      last,
      last.toLowerCase(),
      displayName,
      displayName.toLowerCase(),
      customer.id,
      siteId,
      random() < 0.05 ? 'Privileged' : 'Standard',
      random() < 0.3 ? pick(random, ['Read', 'Standard', 'Full']) : null,
      random() < 0.4 ? `E${String(100_000 + id).padStart(7, '0')}` : null,
      '{}',
      status,
      activatedAt,
      createdAt,
      updatedAt,
      1,
      // The last 5 % of users came in by one import (LATEST_IMPORT_ID), as after a big import.
      id > n * 0.95 ? LATEST_IMPORT_ID : null,
    ];
    return { values, roleIds };
  };
}

export interface SeedResult {
  users: number;
  roleRows: number;
  seconds: number;
  method: string;
}

export async function seedUsers(target: Target, world: World, n: number): Promise<SeedResult> {
  return target.dialect === 'sqlite' ? seedSqlite(target, world, n) : seedPostgres(target, world, n);
}

/**
 * SQLite: raw better-sqlite3 prepared statements (Kysely costs about 2× on this hot path), 100,000
 * users per transaction (small transactions are what makes SQLite inserts slow).
 */
async function seedSqlite(target: Target, world: World, n: number): Promise<SeedResult> {
  const sqlite = target.ctx.storage.sqlite!;
  const insertUser = sqlite.prepare(
    `insert into users (${COLUMNS.map(([c]) => c).join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertRole = sqlite.prepare('insert into user_roles (user_id, role_id) values (?, ?)');
  const next = userGenerator(world, n);
  let roleRows = 0;
  const batch = sqlite.transaction((count: number) => {
    for (let i = 0; i < count; i++) {
      const u = next();
      insertUser.run(u.values);
      for (const roleId of u.roleIds) insertRole.run(u.values[0], roleId);
      roleRows += u.roleIds.length;
    }
  });
  const start = performance.now();
  for (let done = 0; done < n; done += 100_000) batch(Math.min(100_000, n - done));
  return { users: n, roleRows, seconds: (performance.now() - start) / 1000, method: 'prepared statements' };
}

/**
 * PostgreSQL: multi-row `INSERT … SELECT FROM unnest($1::int4[], $2::text[], …)`, 10,000 users per
 * statement, two statements at a time while the next batch is generated.
 *
 * Why not COPY: `pg` has no COPY support without `pg-copy-streams`, an extra dependency that would
 * exist for this benchmark only, plus COPY's own text escaping to get right. COPY's edge is per-row
 * parsing overhead, which matters little here: the users table carries two unique and several plain
 * indexes, and maintaining them is most of the cost either way. One statement per 10,000 rows with
 * one array parameter per column also keeps the statement size independent of the batch size (no
 * 65,535-parameter limit as with VALUES lists).
 */
async function seedPostgres(target: Target, world: World, n: number): Promise<SeedResult> {
  const { db } = target.ctx;
  const BATCH = 10_000;
  const usersSql =
    `insert into users (${COLUMNS.map(([c]) => c).join(', ')}) ` +
    `select * from unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;
  const rolesSql = 'insert into user_roles (user_id, role_id) select * from unnest($1::int4[], $2::int4[])';
  const next = userGenerator(world, n);
  let roleRows = 0;

  const makeBatch = (count: number) => {
    const columns: Cell[][] = COLUMNS.map(() => new Array<Cell>(count));
    const roleUsers: number[] = [];
    const roleIds: number[] = [];
    for (let i = 0; i < count; i++) {
      const u = next();
      for (let c = 0; c < COLUMNS.length; c++) columns[c]![i] = u.values[c]!;
      for (const roleId of u.roleIds) {
        roleUsers.push(u.values[0] as number);
        roleIds.push(roleId);
      }
    }
    roleRows += roleIds.length;
    return { columns, roleUsers, roleIds };
  };
  const write = async (b: ReturnType<typeof makeBatch>) => {
    await db.executeQuery(CompiledQuery.raw(usersSql, b.columns));
    await db.executeQuery(CompiledQuery.raw(rolesSql, [b.roleUsers, b.roleIds]));
  };

  // Two statements in flight: PostgreSQL then works on both cores while the next batch is made.
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let done = 0; done < n; done += BATCH) {
    const b = makeBatch(Math.min(BATCH, n - done));
    if (inFlight.size >= 2) await Promise.race(inFlight);
    const p: Promise<void> = write(b).finally(() => inFlight.delete(p));
    p.catch(() => {}); // a failure surfaces through race/all below, once
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  // Ids were given explicitly: move the sequence past them, as a real import would leave it.
  await sql`select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))`.execute(db);
  return {
    users: n,
    roleRows,
    seconds: (performance.now() - start) / 1000,
    method: `INSERT … SELECT FROM unnest(), ${BATCH.toLocaleString('en-US')} rows per statement`,
  };
}

/** Planner statistics after the bulk load: ANALYZE on SQLite, VACUUM ANALYZE on PostgreSQL. */
export async function analyze(target: Target): Promise<{ seconds: number; what: string }> {
  const start = performance.now();
  if (target.dialect === 'sqlite') {
    target.ctx.storage.sqlite!.exec('analyze');
  } else {
    // VACUUM also sets the visibility map, which index-only scans need; autovacuum would do the same
    // shortly after a bulk load.
    await sql`vacuum analyze`.execute(target.ctx.db);
  }
  return {
    seconds: (performance.now() - start) / 1000,
    what: target.dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE',
  };
}
