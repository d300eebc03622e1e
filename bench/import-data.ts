import { once } from 'node:events';
import fs from 'node:fs';
import { stringify } from 'csv-stringify';
import { createAttribute } from '../src/app/attributes.js';
import type { AppContext } from '../src/app/context.js';
import { createCustomer, createSite } from '../src/app/customers.js';
import { createRole } from '../src/app/roles.js';
import { readSettings, updateSettings } from '../src/app/settings.js';
import type { Actor } from '../src/core/access/policy.js';
import type { Settings } from '../src/core/domain/settings.js';
import { FIRST_NAMES, LAST_NAMES, localPart, pick, rng, UniqueNames, weighted } from './lib/people.js';

/**
 * The import benchmark's world and files: one customer with four sites, nine portal roles and a
 * date attribute, and a CSV of people as an HR export gives them. Deterministic: a given size is
 * always the same file.
 */
export const CUSTOMER = { name: 'Northwind Logistics', externalId: 'ACC-1001', domain: 'northwind.example' };
/** Besides HQ, which every customer has. */
export const SITES = ['Berlin', 'Hamburg', 'Munich'];
export const ROLES = [
  { name: 'Portal User', weight: 35 },
  { name: 'Requester', weight: 15 },
  { name: 'Engineer', weight: 10 },
  { name: 'Approver', weight: 8 },
  { name: 'Reports', weight: 8 },
  { name: 'Manager', weight: 6 },
  { name: 'Finance', weight: 5 },
  { name: 'Dispatcher', weight: 4 },
  { name: 'Auditor', weight: 2 },
];
export const ATTRIBUTE = { key: 'start_date', label: 'Start date', type: 'date' as const };

export const HEADER = [
  'Email',
  'First name',
  'Last name',
  'Site',
  'Roles',
  'Employee number',
  ATTRIBUTE.label,
];

/** Share of rows per number of roles in the Roles cell: none, one, two. */
const ROLE_COUNT_WEIGHTS = [20, 55, 25];
const START = Date.parse('2005-01-01T00:00:00Z');
const DAYS = 20 * 365;

/** One data row of the file. */
export function rowGenerator(seed = 2024): () => string[] {
  const random = rng(seed);
  const names = new UniqueNames();
  const roleWeights = ROLES.map((r) => r.weight);
  let n = 0;
  return () => {
    n++;
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    const local = names.take(localPart(random, first, last));
    // Some people's addresses are written with a capital, as HR systems export them.
    const email = `${random() < 0.15 ? local.replace(/^[a-z]/, (c) => c.toUpperCase()) : local}@${CUSTOMER.domain}`;
    // About half at HQ, written or left empty (empty means HQ).
    const siteDraw = random();
    const site = siteDraw < 0.3 ? '' : siteDraw < 0.5 ? 'HQ' : pick(random, SITES);
    const roleCount = weighted(random, ROLE_COUNT_WEIGHTS);
    const roles: string[] = [];
    while (roles.length < roleCount) {
      const role = ROLES[weighted(random, roleWeights)]!.name;
      if (!roles.includes(role)) roles.push(role);
    }
    const employeeNumber = random() < 0.8 ? `E${String(1_000_000 + n).padStart(8, '0')}` : '';
    const startDate =
      random() < 0.7
        ? new Date(START + Math.floor(random() * DAYS) * 86_400_000).toISOString().slice(0, 10)
        : '';
    return [email, first, last, site, roles.join('; '), employeeNumber, startDate];
  };
}

/** Writes `rows` data rows (plus the header) with csv-stringify, streamed; returns the file's size. */
export async function writeCsv(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const csv = stringify({ record_delimiter: 'windows' });
  csv.pipe(out);
  const next = rowGenerator();
  const write = (record: string[]) => (csv.write(record) ? Promise.resolve() : once(csv, 'drain'));
  await write(HEADER);
  for (let i = 0; i < rows; i++) await write(next());
  csv.end();
  await once(out, 'finish');
  return fs.statSync(file).size;
}

/**
 * The same people as `writeCsv`'s file of this size, each changed as an HR export's next month
 * would: every last name, a site for a third, the roles of half (+ one added, or a new set).
 * Imported in mode `update` after the first file, every row is an update with a diff.
 */
export async function writeUpdateCsv(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const csv = stringify({ record_delimiter: 'windows' });
  csv.pipe(out);
  const next = rowGenerator();
  const write = (record: string[]) => (csv.write(record) ? Promise.resolve() : once(csv, 'drain'));
  await write(HEADER);
  for (let i = 0; i < rows; i++) {
    const [email, first, last, site, roles, employeeNumber, startDate] = next() as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const movedSite = i % 3 === 0 ? SITES[i % SITES.length]! : site;
    const newRoles = i % 2 === 0 ? roles : i % 4 === 1 ? '+Auditor' : 'Reports; Finance';
    await write([email, first, `${last}-Smyth`, movedSite, newRoles, employeeNumber, startDate]);
  }
  csv.end();
  await once(out, 'finish');
  return fs.statSync(file).size;
}

/** An administrator who sees every customer, as the benchmarks act. */
export const BENCH_ADMIN: Actor = {
  kind: 'admin',
  adminId: null,
  role: 'administrator',
  customerId: null,
  label: 'bench administrator',
};

/**
 * The world through the use cases: the customer with its sites, the roles and the attribute; the
 * import limits raised to fit a file of `rows` rows and `fileBytes` bytes, plus any other `settings`.
 * Answers the customer's id.
 */
export async function createWorld(
  ctx: AppContext,
  rows: number,
  fileBytes: number,
  settings: Partial<Settings> = {},
): Promise<number> {
  const customer = await createCustomer(ctx, BENCH_ADMIN, {
    name: CUSTOMER.name,
    externalId: CUSTOMER.externalId,
  });
  for (const name of SITES) await createSite(ctx, BENCH_ADMIN, customer.id, { name });
  for (const role of ROLES) await createRole(ctx, BENCH_ADMIN, { name: role.name });
  await createAttribute(ctx, BENCH_ADMIN, ATTRIBUTE);
  const current = await readSettings(ctx);
  await updateSettings(ctx, BENCH_ADMIN, {
    importMaxRows: Math.max(current.importMaxRows, rows),
    importMaxFileBytes: Math.max(current.importMaxFileBytes, fileBytes + 1024),
    ...settings,
  });
  return customer.id;
}
