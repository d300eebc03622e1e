import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { parseReadChoices } from '../../app/imports/read-choices.js';
import { DEFAULT_READ_LIMITS } from '../../core/import/read/index.js';
import { ApiClient } from '../client.js';
import { repeatsAcrossParts, splitFile } from '../split-file.js';

interface ImportView {
  id: number;
  target: string;
  status: string;
  rows: { total: number; valid: number; invalid: number };
  planned: Record<string, number>;
  errorCodes: Record<string, number>;
  mapping: {
    columns: { index: number; header: string; field: string | null }[];
    unknownColumns: string[];
    missingRequired: string[];
    complete: boolean;
  };
  progress: { done: number; total: number; ratePerSecond: number | null; etaSeconds: number | null };
  counts: Record<string, number>;
  error: { message: string } | null;
  warnings: string[];
  file: { name: string; meta: { sheet?: { name: string } | null } };
  /** Set on imports whose rows are grouped by owner (record targets). */
  owners: { total: number; included: number; unmatchedRows: number } | null;
}

interface Owners {
  owners: {
    userId: number;
    name: string;
    email: string;
    employeeNumber: string | null;
    rows: number;
    valid: number;
    invalid: number;
    included: boolean;
    state: string;
    result: Record<string, number> | null;
  }[];
  unmatched: { value: string; rows: number; firstRow: number; hint: string }[];
  unmatchedRows: number;
}

interface Row {
  row: number;
  problems: { column: string | null; message: string; severity: string }[];
}

const FINAL = ['completed', 'partly_committed', 'cancelled', 'failed', 'rolled_back'];
const OWNER_BY: Record<string, string> = { email: 'email', 'employee-number': 'employeeNumber' };

/** `roster import` and `roster template`: run against a server, as an administrator's script would. */
export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description('Upload a CSV, XLSX or ODS file, validate it, and (unless --dry-run) commit it')
    .argument('<file>', 'the file to import')
    .option('--target <target>', 'what to import', 'users')
    .option('--mode <mode>', 'insert | update | upsert')
    .option('--customer <id>', "customer for rows that don't name one")
    .option('--config <name>', 'a saved import configuration (mapping and options)')
    .option('--send-invites', 'send activation emails to the users created (the option sendInvites=true)')
    .option(
      '--option <name=value>',
      "one of the target's own options (see GET /api/v1/import-targets), its value as JSON or as text; repeatable",
      (text: string, all: string[] = []) => [...all, text],
    )
    .option(
      '--owner-by <email|employee-number>',
      "records: each row's owner (a portal user) is named by email or by employee number (the option ownerBy)",
    )
    .option(
      '--exclude <email>',
      'records: leave out the rows of this owner (by email); repeatable',
      (text: string, all: string[] = []) => [...all, text],
    )
    .option('--atomic', 'all or nothing: import only if every row is valid')
    .option('--empty-cells <keep|clear>', 'what empty cells do to existing users')
    .option('--date-order <auto|DMY|MDY|YMD>', 'how dates like 03/04/2025 read (default: told by the file)')
    .option(
      '--encoding <name>',
      'read a CSV file in this encoding (utf-8, utf-16le, utf-16be, windows-1252, macintosh)',
    )
    .option('--delimiter <char>', 'read a CSV file with this delimiter (, ; | or tab)')
    .option('--sheet <name>', 'read this sheet of a workbook')
    .option('--dry-run', 'validate only; change nothing')
    .option(
      '--first-rows <n>',
      'commit only the first N valid rows, then stop (partly committed): look at the results, then roll back or run roster import-commit <id> for the rest',
    )
    .option(
      '--confirm-deletes <n>',
      'an import whose rows delete users is committed only with the number it deletes (the dry run prints it)',
    )
    .option('--wait', 'wait for the commit to finish and download the result files')
    .option(
      '--split',
      "a file over the server's row or size limit is split into parts that are each validated, then committed one after another (implies --wait)",
    )
    .option('--out <dir>', 'where to write result files', '.')
    .option('--url <url>', 'Roster server (or ROSTER_URL)')
    .option('--token <token>', 'API token (or ROSTER_TOKEN)')
    .action(async (file: string, opts: ImportFlags) => {
      const client = new ApiClient({ url: opts.url, token: opts.token });
      if (!fs.existsSync(file)) throw new Error(`No file ${file}.`);
      if (opts.firstRows !== undefined) wholeNumber('--first-rows', opts.firstRows);
      if (opts.split) {
        if (opts.firstRows !== undefined) throw new Error('--first-rows cannot be used with --split.');
        await importInParts(client, file, opts);
        return;
      }
      const view = await upload(client, file, opts);
      if (readyToCommit([view], opts)) await commit(client, view, file, opts);
    });

  program
    .command('split')
    .description(
      'Split a CSV, XLSX or ODS file into CSV parts within the import limits, each with the header row (no server needed)',
    )
    .argument('<file>', 'the file to split')
    .option('--rows <n>', 'most rows per part', String(DEFAULT_READ_LIMITS.maxRows))
    .option('--bytes <n>', 'largest part in bytes', String(DEFAULT_READ_LIMITS.maxBytes))
    .option('--out <dir>', "where to write the parts (default: the file's folder)")
    .option(
      '--encoding <name>',
      'read a CSV file in this encoding (utf-8, utf-16le, utf-16be, windows-1252, macintosh)',
    )
    .option('--delimiter <char>', 'read a CSV file with this delimiter (, ; | or tab)')
    .option('--sheet <name>', 'read this sheet of a workbook')
    .action(
      async (
        file: string,
        opts: {
          rows: string;
          bytes: string;
          out?: string;
          encoding?: string;
          delimiter?: string;
          sheet?: string;
        },
      ) => {
        if (!fs.existsSync(file)) throw new Error(`No file ${file}.`);
        let problems = 0;
        const parts = await splitFile(file, {
          maxRows: wholeNumber('--rows', opts.rows),
          maxBytes: wholeNumber('--bytes', opts.bytes),
          outDir: opts.out ?? path.dirname(file),
          read: parseReadChoices(opts),
          onProblem: (row, problem) => {
            problems++;
            if (problems <= 20)
              process.stderr.write(
                `${problem.severity === 'error' ? 'Error' : 'Warning'}: row ${row}${problem.column === null ? '' : `, column ${problem.column + 1}`}: ${problem.message}\n`,
              );
          },
        });
        if (problems > 20) process.stderr.write(`… and ${problems - 20} more problems.\n`);
        for (const p of parts)
          say(
            `${p.file}: ${count(p.rows)} rows (rows ${count(p.firstRow)}–${count(p.lastRow)} of the file), ${count(p.bytes)} bytes`,
          );
        say(`${parts.length} part(s), ${count(parts.reduce((n, p) => n + p.rows, 0))} rows in all.`);
      },
    );

  program
    .command('import-commit')
    .description('Commit a validated or partly committed import (the rest of it, after --first-rows)')
    .argument('<id>', 'import id')
    .option('--first-rows <n>', 'commit only the next N valid rows, then stop again')
    .option('--confirm-deletes <n>', 'the number of users the import deletes, when its rows delete any')
    .option('--wait', 'wait for the commit to finish and download the result files')
    .option('--out <dir>', 'where to write result files', '.')
    .option('--url <url>', 'Roster server (or ROSTER_URL)')
    .option('--token <token>', 'API token (or ROSTER_TOKEN)')
    .action(
      async (
        id: string,
        opts: {
          firstRows?: string;
          confirmDeletes?: string;
          wait?: boolean;
          out: string;
          url?: string;
          token?: string;
        },
      ) => {
        const client = new ApiClient(opts);
        if (opts.firstRows !== undefined) wholeNumber('--first-rows', opts.firstRows);
        const view = await client.json<ImportView>('GET', `/api/v1/imports/${wholeNumber('<id>', id)}`);
        if (!deletesConfirmed([view], opts)) return;
        await commit(client, view, view.file.name, { ...opts, target: view.target });
      },
    );

  program
    .command('import-status')
    .description('Show an import, waiting for a running commit to finish')
    .argument('<id>', 'import id')
    .option('--url <url>', 'Roster server (or ROSTER_URL)')
    .option('--token <token>', 'API token (or ROSTER_TOKEN)')
    .action(async (id: string, opts: { url?: string; token?: string }) => {
      const client = new ApiClient(opts);
      const final = await waitFor(client, Number(id));
      process.stdout.write(
        `${JSON.stringify({ id: final.id, status: final.status, counts: final.counts }, null, 2)}\n`,
      );
    });

  program
    .command('template')
    .description('Download an import template (header row, hint row, optionally existing users)')
    .argument('<target>', 'e.g. users')
    .option('--format <format>', 'csv | xlsx', 'xlsx')
    .option('--include-existing', 'fill it with the current records, to edit and upload again')
    .option('--customer <id>', "XLSX: list this customer's sites in a drop-down")
    .option('--out <file>', 'where to write it')
    .option('--url <url>', 'Roster server (or ROSTER_URL)')
    .option('--token <token>', 'API token (or ROSTER_TOKEN)')
    .action(
      async (
        target: string,
        opts: {
          format: string;
          includeExisting?: boolean;
          customer?: string;
          out?: string;
          url?: string;
          token?: string;
        },
      ) => {
        const client = new ApiClient(opts);
        const out = opts.out ?? `${target}-template.${opts.format}`;
        const customer =
          opts.customer === undefined ? '' : `&customerId=${encodeURIComponent(opts.customer)}`;
        await client.download(
          `/api/v1/import-targets/${encodeURIComponent(target)}/template?format=${opts.format}&includeExisting=${opts.includeExisting ? 'true' : 'false'}${customer}`,
          out,
        );
        process.stdout.write(`Template written to ${out}\n`);
      },
    );
}

interface ImportFlags {
  target: string;
  mode?: string;
  customer?: string;
  config?: string;
  sendInvites?: boolean;
  option?: string[];
  ownerBy?: string;
  exclude?: string[];
  atomic?: boolean;
  emptyCells?: string;
  dateOrder?: string;
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  dryRun?: boolean;
  firstRows?: string;
  confirmDeletes?: string;
  wait?: boolean;
  split?: boolean;
  out: string;
  url?: string;
  token?: string;
}

/** A flag's value as a whole number of at least 1, or an error that says which flag is wrong. */
function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1)
    throw new Error(`${flag} must be a whole number of at least 1, not "${text}".`);
  return n;
}

const count = (n: number) => n.toLocaleString('en-US');
const say = (line = '') => process.stdout.write(`${line}\n`);
const RESULTS = [
  'created',
  'updated',
  'unchanged',
  'deleted',
  'disabled',
  'enabled',
  'skipped',
  'failed',
] as const;
/** Results only rows with an Action column give: said when some rows had them. */
const LIFECYCLE: ReadonlySet<string> = new Set(['deleted', 'disabled', 'enabled']);
const countsLine = (counts: Record<string, number>) =>
  RESULTS.filter((k) => !LIFECYCLE.has(k) || (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k] ?? 0} ${k}`)
    .join(', ');

/** The target's own options the flags give: `--option name=value` (JSON, else text), `--send-invites`. */
function targetOptionsOf(opts: ImportFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const text of opts.option ?? []) {
    const at = text.indexOf('=');
    if (at < 1) throw new Error(`--option takes name=value, not "${text}".`);
    const raw = text.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Plain text, e.g. --option inviteMessage=Welcome aboard
    }
    out[text.slice(0, at)] = value;
  }
  if (opts.sendInvites) out.sendInvites = true;
  if (opts.ownerBy !== undefined) {
    const by = OWNER_BY[opts.ownerBy];
    if (!by) throw new Error(`--owner-by takes email or employee-number, not "${opts.ownerBy}".`);
    out.ownerBy = by;
  }
  return out;
}

/** Uploads one file with the command's options and prints what the validation found. */
async function upload(
  client: ApiClient,
  file: string,
  opts: ImportFlags,
  rowLabel: (row: number) => string = (row) => `row ${row}`,
): Promise<ImportView> {
  const options: Record<string, unknown> = {};
  if (opts.mode) options.mode = opts.mode;
  if (opts.customer) options.customerId = Number(opts.customer);
  const targetOptions = targetOptionsOf(opts);
  if (Object.keys(targetOptions).length > 0) options.targetOptions = targetOptions;
  if (opts.atomic) options.atomic = true;
  if (opts.emptyCells) options.emptyCells = opts.emptyCells;
  if (opts.dateOrder) options.dateOrder = opts.dateOrder;
  const form = new FormData();
  form.set('target', opts.target);
  form.set('options', JSON.stringify(options));
  if (opts.config) form.set('config', opts.config);
  for (const key of ['encoding', 'delimiter', 'sheet'] as const) {
    const value = opts[key];
    if (value) form.set(key, value);
  }
  form.set('file', await fs.openAsBlob(file), path.basename(file));

  const view = await client.json<ImportView>('POST', '/api/v1/imports', form);
  say(
    `Import ${view.id}: ${view.rows.total} rows read${view.file.meta.sheet ? ` from sheet "${view.file.meta.sheet.name}"` : ''}, ${view.rows.valid} valid, ${view.rows.invalid} invalid.`,
  );
  for (const w of view.warnings) say(`Warning: ${w}`);
  if (view.mapping.unknownColumns.length > 0)
    say(`Ignored columns: ${view.mapping.unknownColumns.join(', ')}`);
  const planned = Object.entries(view.planned).map(([k, n]) =>
    k === 'unchanged' ? `${n} updates that change nothing` : `${n} to ${k}`,
  );
  if (planned.length > 0) say(`Planned: ${planned.join(', ')}.`);
  if (view.rows.invalid > 0) {
    say('Problems:');
    for (const [code, n] of Object.entries(view.errorCodes)) say(`  ${code}: ${n} row(s)`);
    const rows = await client.json<{ items: Row[] }>(
      'GET',
      `/api/v1/imports/${view.id}/rows?filter=invalid&limit=10`,
    );
    for (const r of rows.items) {
      for (const p of r.problems.filter((x) => x.severity === 'error'))
        say(`  ${rowLabel(r.row)}${p.column ? `, ${p.column}` : ''}: ${p.message}`);
    }
  }
  if (view.owners) await chooseOwners(client, view, opts);
  return view;
}

/**
 * An import grouped by owner: prints the owners found and the values that matched nobody, and
 * leaves out the owners named by --exclude (an email that is no owner of the file stops the import).
 */
async function chooseOwners(client: ApiClient, view: ImportView, opts: ImportFlags): Promise<void> {
  let found = await client.json<Owners>('GET', `/api/v1/imports/${view.id}/owners`);
  const excluded = (opts.exclude ?? []).flatMap((email) => {
    const owner = found.owners.find((o) => o.email.toLowerCase() === email.trim().toLowerCase());
    // With --split an owner is in one part only: the others have nothing to leave out.
    if (!owner && opts.split) return [];
    if (!owner)
      throw new Error(
        `--exclude ${email}: no row of the file belongs to this user. Owners found: ${found.owners.map((o) => o.email).join(', ') || 'none'}.`,
      );
    return [owner.userId];
  });
  if (excluded.length > 0) {
    found = await client.json<Owners>('PUT', `/api/v1/imports/${view.id}/owners`, { excluded });
  }
  say(`Owners: ${found.owners.length} found, ${found.owners.filter((o) => o.included).length} to import.`);
  for (const o of found.owners) {
    say(
      `  ${o.email}${o.employeeNumber ? ` (${o.employeeNumber})` : ''}: ${o.rows} row(s), ${o.valid} valid, ${o.invalid} invalid${o.included ? '' : ' (excluded)'}`,
    );
  }
  if (found.unmatched.length > 0) {
    say(`Rows whose owner matches no user: ${found.unmatchedRows}.`);
    for (const u of found.unmatched.slice(0, 10))
      say(`  "${u.value}": ${u.rows} row(s), first in row ${u.firstRow}. ${u.hint}`);
  }
  if (found.owners.length === 0) say('No row names a user you may assign to: nothing can be imported.');
}

/** What became of each owner of a grouped import, one line each. */
async function ownerResults(client: ApiClient, id: number): Promise<void> {
  const found = await client.json<Owners>('GET', `/api/v1/imports/${id}/owners`);
  for (const o of found.owners) {
    const what = !o.included && o.state === 'pending' ? 'excluded' : o.state.replace('_', ' ');
    say(`  ${o.email}: ${what}${o.result ? `: ${countsLine(o.result)}` : ''}`);
  }
}

/**
 * Whether the validated imports may be committed; says why not otherwise and sets the exit code
 * (2: the file needs fixing, or this was a dry run with problems).
 */
function readyToCommit(views: readonly ImportView[], opts: ImportFlags): boolean {
  const unmapped = views.find((v) => !v.mapping.complete);
  if (unmapped) {
    say(
      `Required fields have no column: ${unmapped.mapping.missingRequired.join(', ')}. Fix the headers or use --config.`,
    );
    process.exitCode = 2;
    return false;
  }
  const invalid = views.reduce((n, v) => n + v.rows.invalid, 0);
  if (opts.dryRun) {
    say('Dry run: nothing was changed.');
    if (invalid > 0) process.exitCode = 2;
    return false;
  }
  if (opts.atomic && invalid > 0 && views.length > 1) {
    say(`${invalid} row(s) are invalid and --atomic is on: no part was committed.`);
    process.exitCode = 2;
    return false;
  }
  return deletesConfirmed(views, opts);
}

/**
 * Rows that delete users are committed only once the admin gave their number (`--confirm-deletes`),
 * as the console asks: a file's Action column never deletes anyone unseen. Over all parts of a split file.
 */
function deletesConfirmed(views: readonly ImportView[], opts: { confirmDeletes?: string }): boolean {
  const deletes = views.reduce((n, v) => n + (v.planned.delete ?? 0), 0);
  if (deletes === 0) return true;
  const confirmed = opts.confirmDeletes === undefined ? undefined : Number(opts.confirmDeletes);
  if (confirmed === deletes) return true;
  const next =
    views.length === 1
      ? `roster import-commit ${views[0]!.id} --confirm-deletes ${deletes}`
      : `the same command with --confirm-deletes ${deletes}`;
  say(
    `${views.length > 1 ? 'The parts delete' : 'This import deletes'} ${deletes} user(s)${
      confirmed === undefined ? '' : `, not ${opts.confirmDeletes}`
    }: nothing was committed. To go ahead: ${next}.`,
  );
  process.exitCode = 2;
  return false;
}

/** Commits a validated import; with --wait (or --split), follows it and downloads its result files. */
async function commit(
  client: ApiClient,
  view: ImportView,
  file: string,
  opts: ImportFlags,
): Promise<ImportView | null> {
  const wait = opts.wait || opts.split;
  const firstRows = opts.firstRows === undefined ? undefined : wholeNumber('--first-rows', opts.firstRows);
  const deletes = view.planned.delete ?? 0;
  await client.json('POST', `/api/v1/imports/${view.id}/commit`, {
    ...(firstRows !== undefined && { firstRows }),
    // Confirmed by --confirm-deletes before (deletesConfirmed).
    ...(deletes > 0 && { confirmDeletes: deletes }),
  });
  say(
    `Committing ${firstRows === undefined ? '' : `the first ${firstRows} row(s) `}in the background${wait ? '' : `; follow it with: roster import-status ${view.id}`}.`,
  );
  if (!wait) return null;
  const final = await waitFor(client, view.id);
  say(`Import ${view.id} ${final.status}: ${countsLine(final.counts)}.`);
  if (final.owners) await ownerResults(client, view.id);
  if (final.error) say(`Error: ${final.error.message}`);
  const base = path.join(opts.out, `${path.parse(file).name}-import-${view.id}`);
  const success = await client.download(
    `/api/v1/imports/${view.id}/files/success?format=csv`,
    `${base}-success.csv`,
  );
  say(`Success file: ${success}`);
  if ((final.counts.failed ?? 0) + (final.counts.skipped ?? 0) > 0) {
    const failure = await client.download(
      `/api/v1/imports/${view.id}/files/failure?format=csv`,
      `${base}-failure.csv`,
    );
    say(`Failure file: ${failure} (fix it and import it again as is)`);
  }
  // The first rows committed as asked: the rest waits for the admin.
  const partly = firstRows !== undefined && final.status === 'partly_committed' && !final.owners;
  if (partly)
    say(
      `The first ${firstRows} row(s) are committed. Look at the results, then commit the rest with: roster import-commit ${view.id} (or roll it back in the console).`,
    );
  if (final.status !== 'completed' && !partly) process.exitCode = 1;
  return final;
}

/**
 * --split: the file is cut into parts within the server's limits, every part is uploaded and
 * validated first, and only then are they committed, one after another, so that a part the
 * server refuses stops the whole file before anything is written. Each part is an import of its
 * own, with its own history entry, result files and rollback.
 */
async function importInParts(client: ApiClient, file: string, opts: ImportFlags): Promise<void> {
  const limits = await client.json<{
    importMaxRows: number;
    importMaxFileBytes: number;
    importMaxOwners: number;
  }>('GET', '/api/v1/settings');
  const target = await client.json<TargetInfo>(
    'GET',
    `/api/v1/import-targets/${encodeURIComponent(opts.target)}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-split-'));
  try {
    const parts = await splitFile(file, {
      maxRows: limits.importMaxRows,
      maxBytes: limits.importMaxFileBytes,
      outDir: dir,
      // Rows grouped by owner: each owner's rows stay in one part, each part within the owner limit.
      ...(target.groupedBy && {
        groupBy: { column: ownerColumn(target), maxGroups: limits.importMaxOwners },
      }),
    });
    if (parts.length === 0) throw new Error(`${file} has a header but no rows to import.`);
    if (parts.length === 1) {
      // Within the limits: the file itself goes, under its own name and hash.
      const view = await upload(client, file, opts);
      if (readyToCommit([view], opts)) await commit(client, view, file, opts);
      return;
    }
    say(
      `${file}: ${count(parts.reduce((n, p) => n + p.rows, 0))} rows, over the server's limit of ${count(limits.importMaxRows)} rows or ${count(limits.importMaxFileBytes)} bytes per file: split into ${parts.length} parts.`,
    );
    const views: ImportView[] = [];
    const rowLabels: ((row: number) => string)[] = [];
    for (const [i, part] of parts.entries()) {
      say();
      say(
        `Part ${i + 1} of ${parts.length} (rows ${count(part.firstRow)}–${count(part.lastRow)} of the file):`,
      );
      // A part's row 2 is its first data row; where the file had no blank row in between, the
      // rows follow the file's one for one and problems can name the file's row.
      const follows = part.lastRow - part.firstRow + 1 === part.rows;
      const rowLabel = (row: number) =>
        follows ? `row ${part.firstRow + row - 2}` : `row ${row} of part ${i + 1}`;
      rowLabels.push(rowLabel);
      views.push(await upload(client, part.file, opts, rowLabel));
    }
    say();
    // Only where every part is mapped: otherwise readyToCommit says what is missing. Keys unique
    // per owner need no look across parts: each owner's rows are in one part.
    const repeats =
      views.every((v) => v.mapping.complete) && !target.groupedBy
        ? await repeatsAcrossParts(parts, await uniqueColumns(client, opts.target, views[0]!))
        : [];
    if (repeats.length > 0) {
      say(
        `${count(repeats.length)} row(s) repeat a value of an earlier part (each part was checked on its own; these are across parts):`,
      );
      for (const r of repeats.slice(0, 10)) {
        say(
          `  ${rowLabels[r.part - 1]!(r.row)}, ${r.column}: "${r.value}" is also in ${rowLabels[r.firstPart - 1]!(r.firstRow)}.`,
        );
      }
      say(
        opts.dryRun
          ? 'Dry run: nothing was changed.'
          : 'Nothing was committed: keep one row of each and run again.',
      );
      process.exitCode = 2;
      return;
    }
    if (!readyToCommit(views, opts)) return;
    const totals: Record<string, number> = {};
    for (const [i, view] of views.entries()) {
      say(`Part ${i + 1} of ${parts.length}:`);
      const final = await commit(client, view, parts[i]!.file, opts);
      for (const k of RESULTS) totals[k] = (totals[k] ?? 0) + (final?.counts[k] ?? 0);
      if (final && final.status !== 'completed') {
        const left = views.slice(i + 1).map((v) => v.id);
        say(
          `Part ${i + 1} ended ${final.status}, so the parts after it were not committed` +
            (left.length > 0
              ? ` (validated imports ${left.join(', ')}: commit them in the console or the API).`
              : '.'),
        );
        return;
      }
    }
    say();
    say(`All ${parts.length} parts: ${countsLine(totals)}.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface TargetInfo {
  groupedBy: { field: string } | null;
  fields: { key: string; column: string; synonyms?: readonly string[] }[];
}

/**
 * The owner column of a record file, found as the server's mapping finds it by name: the field's
 * column or one of its synonyms, compared ignoring case, spaces and punctuation.
 */
function ownerColumn(target: TargetInfo): (header: readonly string[]) => number {
  const fold = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  const field = target.fields.find((f) => f.key === target.groupedBy!.field)!;
  const names = new Set([field.column, field.key, ...(field.synonyms ?? [])].map(fold));
  return (header) => {
    const index = header.findIndex((h) => names.has(fold(h)));
    if (index < 0) {
      throw new Error(
        `No column of the file names the owner (${field.column}, or one of: ${(field.synonyms ?? []).join(', ')}): it is needed to keep each owner's rows in one part.`,
      );
    }
    return index;
  };
}

/** The columns of the file mapped to fields that must be unique in a file (email, username, …). */
async function uniqueColumns(
  client: ApiClient,
  target: string,
  view: ImportView,
): Promise<{ index: number; header: string }[]> {
  const targets = await client.json<{ name: string; fields: { key: string; uniqueInFile?: boolean }[] }[]>(
    'GET',
    '/api/v1/import-targets',
  );
  const unique = new Set(
    targets
      .find((t) => t.name === target)
      ?.fields.filter((f) => f.uniqueInFile)
      .map((f) => f.key),
  );
  return view.mapping.columns.filter((c) => c.field !== null && unique.has(c.field));
}

/** Polls the import, drawing a progress bar on a terminal, until the commit settles. */
async function waitFor(client: ApiClient, id: number): Promise<ImportView> {
  const tty = process.stderr.isTTY;
  for (;;) {
    const view = await client.json<ImportView>('GET', `/api/v1/imports/${id}`);
    if (FINAL.includes(view.status)) {
      if (tty) process.stderr.write('\n');
      return view;
    }
    const { done, total, ratePerSecond, etaSeconds } = view.progress;
    if (tty && total > 0) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      const rate = ratePerSecond ? ` ${ratePerSecond} rows/s` : '';
      const eta = etaSeconds ? `, ${etaSeconds}s left` : '';
      process.stderr.write(`\r[${bar}] ${done}/${total}${rate}${eta}   `);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
