import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ApiClient } from '../client.js';

interface ImportView {
  id: number;
  status: string;
  rows: { total: number; valid: number; invalid: number };
  planned: Record<string, number>;
  errorCodes: Record<string, number>;
  mapping: { unknownColumns: string[]; missingRequired: string[]; complete: boolean };
  progress: { done: number; total: number; ratePerSecond: number | null; etaSeconds: number | null };
  counts: Record<string, number>;
  error: { message: string } | null;
  warnings: string[];
  file: { meta: { sheet?: { name: string } | null } };
}

interface Row {
  row: number;
  problems: { column: string | null; message: string; severity: string }[];
}

const FINAL = ['completed', 'cancelled', 'failed', 'rolled_back'];

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
    .option('--send-invites', 'send activation emails to the users created')
    .option('--atomic', 'all or nothing: import only if every row is valid')
    .option('--empty-cells <keep|clear>', 'what empty cells do to existing users')
    .option('--dry-run', 'validate only; change nothing')
    .option('--wait', 'wait for the commit to finish and download the result files')
    .option('--out <dir>', 'where to write result files', '.')
    .option('--url <url>', 'Roster server (or ROSTER_URL)')
    .option('--token <token>', 'API token (or ROSTER_TOKEN)')
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      const client = new ApiClient({
        url: opts.url as string | undefined,
        token: opts.token as string | undefined,
      });
      if (!fs.existsSync(file)) throw new Error(`No file ${file}.`);
      const options: Record<string, unknown> = {};
      if (opts.mode) options.mode = opts.mode;
      if (opts.customer) options.customerId = Number(opts.customer);
      if (opts.sendInvites) options.sendInvites = true;
      if (opts.atomic) options.atomic = true;
      if (opts.emptyCells) options.emptyCells = opts.emptyCells;
      const form = new FormData();
      form.set('target', String(opts.target));
      form.set('options', JSON.stringify(options));
      if (opts.config) form.set('config', String(opts.config));
      form.set('file', await fs.openAsBlob(file), path.basename(file));

      const view = await client.json<ImportView>('POST', '/api/v1/imports', form);
      const say = (line = '') => process.stdout.write(`${line}\n`);
      say(
        `Import ${view.id}: ${view.rows.total} rows read${view.file.meta.sheet ? ` from sheet "${view.file.meta.sheet.name}"` : ''}, ${view.rows.valid} valid, ${view.rows.invalid} invalid.`,
      );
      for (const w of view.warnings) say(`Warning: ${w}`);
      if (view.mapping.unknownColumns.length > 0)
        say(`Ignored columns: ${view.mapping.unknownColumns.join(', ')}`);
      const planned = Object.entries(view.planned).map(([k, n]) => `${n} to ${k}`);
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
            say(`  row ${r.row}${p.column ? `, ${p.column}` : ''}: ${p.message}`);
        }
      }
      if (!view.mapping.complete) {
        say(
          `Required fields have no column: ${view.mapping.missingRequired.join(', ')}. Fix the headers or use --config.`,
        );
        process.exitCode = 2;
        return;
      }
      if (opts.dryRun) {
        say('Dry run: nothing was changed.');
        if (view.rows.invalid > 0) process.exitCode = 2;
        return;
      }
      await client.json('POST', `/api/v1/imports/${view.id}/commit`);
      say(
        `Committing in the background${opts.wait ? '' : `; follow it with: roster import-status ${view.id}`}.`,
      );
      if (!opts.wait) return;
      const final = await waitFor(client, view.id);
      say(
        `Import ${view.id} ${final.status}: ${['created', 'updated', 'unchanged', 'skipped', 'failed'].map((k) => `${final.counts[k] ?? 0} ${k}`).join(', ')}.`,
      );
      if (final.error) say(`Error: ${final.error.message}`);
      const base = path.join(String(opts.out), `${path.parse(file).name}-import-${view.id}`);
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
      if (final.status !== 'completed') process.exitCode = 1;
    });

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
    .option('--out <file>', 'where to write it')
    .option('--url <url>', 'Roster server (or ROSTER_URL)')
    .option('--token <token>', 'API token (or ROSTER_TOKEN)')
    .action(
      async (
        target: string,
        opts: { format: string; includeExisting?: boolean; out?: string; url?: string; token?: string },
      ) => {
        const client = new ApiClient(opts);
        const out = opts.out ?? `${target}-template.${opts.format}`;
        await client.download(
          `/api/v1/import-targets/${encodeURIComponent(target)}/template?format=${opts.format}&includeExisting=${opts.includeExisting ? 'true' : 'false'}`,
          out,
        );
        process.stdout.write(`Template written to ${out}\n`);
      },
    );
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
