import { performance } from 'node:perf_hooks';
import { encodeCursor } from '../src/app/shared.js';
import { type ListUsersQuery, listUsers } from '../src/app/users/list-users.js';
import { indexUsersForSearch } from '../src/app/users/search-index.js';
import type { Actor } from '../src/core/access/policy.js';
import type { Dialect } from '../src/storage/database.js';
import { captureQueries, explain, readableSql } from './lib/explain.js';
import type { BenchEnv, Benchmark } from './lib/harness.js';
import { int, measure, ms, type Timing, table } from './lib/measure.js';
import { rng } from './lib/people.js';
import { databaseBytes, openTarget, type Target } from './lib/targets.js';
import { analyze, createWorld, LATEST_IMPORT_ID, seedUsers, type World } from './users-list-seed.js';

/** An administrator who sees every customer: the widest list there is. */
const ADMIN: Actor = {
  kind: 'admin',
  adminId: null,
  role: 'administrator',
  customerId: null,
  label: 'bench administrator',
};

interface Case {
  name: string;
  /** The query of run `run`; most cases ask the same thing every time. */
  query(run: number): ListUsersQuery;
}

interface CaseResult {
  name: string;
  timing: Timing;
  /** What the last run answered: items on the page and the total it reported. */
  items: number;
  total: number;
}

interface DatabaseResult {
  dialect: Dialect;
  baseline: Timing;
  cases: CaseResult[];
}

const LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/**
 * The cases an admin console really sends, each through the `listUsers` use case (so list and total
 * count both run, as the API does), against a seeded database.
 */
async function buildCases(target: Target, world: World, n: number, env: BenchEnv): Promise<Case[]> {
  const { db } = target.ctx;
  const mid = Math.max(1, Math.floor(n / 2));
  const someone = await db
    .selectFrom('users')
    .select('email')
    .where('id', '=', mid)
    .executeTakeFirstOrThrow();
  // A second-tier customer (about a fifth of all users) and a role held by about one user in twelve.
  const customer = world.customers[1]!;
  const role = world.roles.find((r) => r.name === 'Approver')!;

  // Keyset paging from the middle of the list: the cursor a client holds after paging through half
  // of a million users, then followed page by page; each timed run fetches the next page.
  const middle = await db
    .selectFrom('users')
    .select(['created_at', 'id'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(mid)
    .limit(1)
    .executeTakeFirstOrThrow();
  const cursors = [encodeCursor(middle.created_at, middle.id)];
  const pages = env.options.runs + 4;
  while (cursors.length < pages) {
    const page = await listUsers(target.ctx, ADMIN, { cursor: cursors[cursors.length - 1]! });
    if (!page.nextCursor) break;
    cursors.push(page.nextCursor);
  }

  const offset = Math.min(100_000, Math.max(0, n - 50));
  const emailPrefix = someone.email.toLowerCase().slice(0, 10);
  // Part of one user's email past its first characters: a narrow contains search.
  const emailPart = someone.email.toLowerCase().split('@')[0]!.slice(2, 12);
  const domain = someone.email.toLowerCase().split('@')[1]!;
  return [
    { name: 'search "ma" (short prefix)', query: () => ({ search: 'ma' }) },
    { name: `search "${emailPrefix}" (email prefix)`, query: () => ({ search: emailPrefix }) },
    { name: `contains "${emailPart}" (inside one email)`, query: () => ({ search: emailPart }) },
    { name: `contains "${domain}" (a domain)`, query: () => ({ search: domain }) },
    { name: 'contains "schmi" (part of a name)', query: () => ({ search: 'schmi' }) },
    {
      name: `contains "${domain}", status pending, by email`,
      query: () => ({ search: domain, status: ['pending'], sort: 'email' }),
    },
    {
      name: `status active + customer (${customer.name})`,
      query: () => ({ status: ['active'], customerId: customer.id }),
    },
    { name: 'status pending, sorted by email', query: () => ({ status: ['pending'], sort: 'email' }) },
    { name: `role filter (${role.name})`, query: () => ({ roleId: role.id }) },
    {
      name: `keyset page at row ${int(mid)} (nextCursor)`,
      query: (run) => ({ cursor: cursors[run % cursors.length]! }),
    },
    { name: `offset ${int(offset)}`, query: () => ({ offset }) },
    { name: 'users of the latest import (5 %)', query: () => ({ importId: LATEST_IMPORT_ID }) },
    { name: 'first page, no filter (total = all users)', query: () => ({}) },
  ];
}

async function runOn(env: BenchEnv, dialect: Dialect): Promise<DatabaseResult> {
  const { options, log } = env;
  const label = LABEL[dialect];
  log(`\n== ${label}: users list over ${int(options.users)} users ==`);
  const target = await openTarget(env, dialect, 'users_list');
  try {
    const world = await createWorld(target);
    const seeded = await seedUsers(target, world, options.users);
    log(
      `seeded ${int(seeded.users)} users and ${int(seeded.roleRows)} role assignments in ` +
        `${seeded.seconds.toFixed(1)} s: ${int(seeded.users / seeded.seconds)} users/s ` +
        `(${seeded.method}; every index of the migrated schema in place)`,
    );
    const indexed = performance.now();
    const entries = await indexUsersForSearch(target.ctx);
    const indexSeconds = (performance.now() - indexed) / 1000;
    log(
      `search index (trigrams, built in the background after writes): ${int(entries)} users in ` +
        `${indexSeconds.toFixed(1)} s, ${int(entries / indexSeconds)} users/s`,
    );
    const stats = await analyze(target);
    const bytes = await databaseBytes(target);
    log(
      `${stats.what} after seeding: ${stats.seconds.toFixed(1)} s; database size ${int(bytes / 1_048_576)} MB`,
    );

    const cases = await buildCases(target, world, options.users, env);

    // Baseline: 50 users by primary key through Kysely, different ids each run. It scales with the
    // machine (CPU, driver round trip) as the cases do, so the ratios compare across machines.
    const random = rng(7);
    const idSets = Array.from({ length: 64 }, () =>
      Array.from({ length: 50 }, () => 1 + Math.floor(random() * options.users)),
    );
    const baseline = await measure(
      (run) =>
        target.ctx.db
          .selectFrom('users')
          .selectAll()
          .where('id', 'in', idSets[run % idSets.length]!)
          .execute(),
      { runs: Math.max(options.runs, 100), warmup: 10 },
    );

    const results: CaseResult[] = [];
    for (const c of cases) {
      let items = 0;
      let total = 0;
      const timing = await measure(
        async (run) => {
          const page = await listUsers(target.ctx, ADMIN, c.query(run));
          items = page.items.length;
          total = page.total;
        },
        { runs: options.runs },
      );
      results.push({ name: c.name, timing, items, total });
      if (options.explain) await printPlans(env, target, c);
    }

    log();
    log(resultTable(baseline, results));
    return { dialect, baseline, cases: results };
  } finally {
    await target.close();
  }
}

function resultTable(baseline: Timing, results: CaseResult[]): string {
  const rows = [
    ['baseline: 50 users by primary key', ms(baseline.median), ms(baseline.p95), '1', '', ''],
    ...results.map((r) => [
      r.name,
      ms(r.timing.median),
      ms(r.timing.p95),
      (r.timing.median / baseline.median).toFixed(1),
      String(r.items),
      int(r.total),
    ]),
  ];
  return table(['case', 'median ms', 'p95 ms', '× baseline', 'items', 'total'], rows);
}

async function printPlans(env: BenchEnv, target: Target, c: Case): Promise<void> {
  const queries = await captureQueries(target.ctx, (ctx) => listUsers(ctx, ADMIN, c.query(0)));
  env.log(`\n-- plans: ${c.name}`);
  for (const q of queries) {
    // The membership look-ups (roles and groups of the 50 users on the page) are tiny, and a
    // subquery is captured on its own too: skip them.
    if (!/from "users"/.test(q.sql)) continue;
    if (queries.some((other) => other !== q && other.sql.includes(`(${q.sql})`))) continue;
    env.log(`\n${readableSql(q)}\n${await explain(target.ctx, target.dialect, q)}`);
  }
}

export const usersList: Benchmark = {
  name: 'users-list',
  description: 'Users list (search, filters, sorting, keyset and offset paging, total count) over many users',
  async run(env) {
    const done: DatabaseResult[] = [];
    for (const dialect of env.options.databases) done.push(await runOn(env, dialect));
    if (done.length > 1) {
      env.log(`\n== users list: medians side by side (${int(env.options.users)} users) ==\n`);
      const names = ['baseline: 50 users by primary key', ...done[0]!.cases.map((c) => c.name)];
      const rows = names.map((name, i) => [
        name,
        ...done.flatMap((d) => {
          const t = i === 0 ? d.baseline : d.cases[i - 1]!.timing;
          return [ms(t.median), (t.median / d.baseline.median).toFixed(1)];
        }),
      ]);
      env.log(table(['case', ...done.flatMap((d) => [`${LABEL[d.dialect]} ms`, '×'])], rows));
    }
  },
};
