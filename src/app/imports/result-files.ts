import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { Actor } from '../../core/access/policy.js';
import { describeChanges } from '../../core/domain/changes.js';
import { errors } from '../../core/errors.js';
import {
  CHANGES_COLUMN,
  CSV_QUOTED_CELL,
  ERROR_COLUMN,
  neutralizeCell,
  OWNER_COLUMN,
  RESULT_ACTION_COLUMN,
  RESULT_ID_COLUMN,
  type ResultFileKind,
  ROW_COLUMN,
  STORED_COLUMN,
} from '../../core/import/export.js';
import { describeProblems } from '../../core/import/problems.js';
import type { CsvDelimiter } from '../../core/import/read/types.js';
import { mapRow } from '../../core/import/validate.js';
import { ownerLines } from '../../storage/queries/import-owners.js';
import { pageStagedRows, type StagedRowView } from '../../storage/queries/import-rows.js';
import type { ImportRecord } from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';
import { settingDefaults } from '../settings.js';
import { visibleImport } from './access.js';
import { dateOrdersOf } from './date-orders.js';
import { downloadPath, originalFiles } from './files.js';
import { groupingOf } from './owners.js';

export type FileFormat = 'csv' | 'xlsx';
export type FileKind = ResultFileKind | 'original';

export interface FileToSend {
  body: Readable;
  fileName: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};

/** The results a success file lists: every row that was written or found as asked. */
const SUCCESS_RESULTS: ReadonlySet<string> = new Set([
  'created',
  'updated',
  'unchanged',
  'deleted',
  'disabled',
  'enabled',
]);
const COMMITTED = ['completed', 'partly_committed', 'cancelled', 'failed', 'rolling_back', 'rolled_back'];

/**
 * An import's files: the original upload, and after a commit the success file (each row with
 * its user id and what happened) and the failure file (the original columns plus the reasons,
 * ready to fix and upload again). Before a commit the failure file lists the invalid rows.
 */
export async function importFile(
  ctx: AppContext,
  actor: Actor,
  id: number,
  kind: FileKind,
  format: FileFormat,
): Promise<FileToSend> {
  const rec = await visibleImport(ctx, actor, id, 'imports.read');
  // Letters of any script stay (the download's name is sent in UTF-8 too); anything else becomes _.
  const base = path.parse(rec.file.name).name.replace(/[^\p{L}\p{N}_.-]+/gu, '_') || `import-${id}`;
  if (kind === 'original') {
    const body = await originalFiles(ctx).open(id, rec.file.format);
    if (!body) throw errors.notFound('file', `${id}/original`);
    return {
      body,
      fileName: rec.file.name,
      contentType: CONTENT_TYPES[rec.file.format] ?? 'application/octet-stream',
    };
  }
  if (kind === 'success' && !COMMITTED.includes(rec.status)) {
    throw errors.conflict(
      'import.not_committed',
      'The success file exists once the import has been committed.',
    );
  }
  const out = downloadPath(id, `${kind}.${format}`);
  // Grouped by owner: each line says whose it is, after its row number.
  const ownerEmails = groupingOf(ctx, rec)
    ? new Map((await ownerLines(ctx.db, id)).map((l) => [l.userId, l.email]))
    : null;
  const owner = ownerEmails ? [OWNER_COLUMN] : [];
  const header =
    kind === 'failure'
      ? [...rec.header, ROW_COLUMN, ...owner, ERROR_COLUMN]
      : [
          ...rec.header,
          ROW_COLUMN,
          ...owner,
          RESULT_ID_COLUMN,
          RESULT_ACTION_COLUMN,
          STORED_COLUMN,
          CHANGES_COLUMN,
        ];
  const lines = resultLines(
    ctx,
    rec,
    kind,
    kind === 'success' ? await storedDifferences(ctx, rec) : null,
    ownerEmails,
  );
  // A CSV comes back with the delimiter the uploaded CSV had (a `;` file opens right where it came from).
  if (format === 'csv') await writeCsv(out, header, lines, uploadedDelimiter(rec));
  else await writeXlsx(out, header, lines, kind);
  // Made for this download: gone once sent, or once the client went away.
  const body = fs.createReadStream(out);
  body.on('close', () => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
  return { body, fileName: `${base}-${kind}.${format}`, contentType: CONTENT_TYPES[format]! };
}

const uploadedDelimiter = (rec: ImportRecord): CsvDelimiter => {
  const delimiter = rec.file.meta.delimiter;
  return delimiter === ';' || delimiter === '\t' || delimiter === '|' ? delimiter : ',';
};

/**
 * How a staged row's values were stored where that differs from the file's text: each mapped cell
 * read by its field as the commit read it (dates as ISO, allowed values in their own spelling,
 * numbers and booleans as such), beside what the file had.
 */
async function storedDifferences(
  ctx: AppContext,
  rec: ImportRecord,
): Promise<(cells: string[], row: number) => string> {
  const binding = ctx.targets.get(rec.target);
  const env = await binding.env(ctx.db, rec.scopeCustomerId, settingDefaults(ctx.config));
  const fields = binding.target.fields(env);
  const dates = dateOrdersOf(rec.options, rec.file.meta);
  return (cells, row) => {
    const { input } = mapRow({ row, cells }, rec.header, fields, rec.mapping, dates);
    const differences: string[] = [];
    for (const [key, value] of Object.entries(input.values)) {
      const raw = input.raw[key] ?? '';
      if (value === null || value === undefined) continue;
      const stored = Array.isArray(value) ? value.join('; ') : String(value);
      if (stored === raw) continue;
      differences.push(`${input.columns[key] ?? key}: "${raw}" → ${stored}`);
    }
    return differences.join(' | ');
  };
}

async function* resultLines(
  ctx: AppContext,
  rec: ImportRecord,
  kind: ResultFileKind,
  stored: ((cells: string[], row: number) => string) | null,
  ownerEmails: Map<number, string> | null,
): AsyncGenerator<string[]> {
  const committed = COMMITTED.includes(rec.status);
  let after = 0;
  for (;;) {
    const page = await pageStagedRows(ctx.db, rec.id, { kind: 'all' }, { afterRow: after, limit: 2000 });
    if (page.length === 0) return;
    for (const row of page) {
      const cells = rec.header.map((_, i) => row.cells[i] ?? '');
      const owner = ownerEmails ? [row.owner === null ? '' : (ownerEmails.get(row.owner) ?? '')] : [];
      if (kind === 'success') {
        if (row.result !== null && SUCCESS_RESULTS.has(row.result)) {
          yield [
            ...cells,
            String(row.row),
            ...owner,
            String(row.resultId ?? ''),
            row.result,
            stored?.(row.cells, row.row) ?? '',
            row.result === 'updated' && row.changes ? describeChanges(row.changes) : '',
          ];
        }
      } else {
        const reason = failureReason(row, committed);
        if (reason !== null) yield [...cells, String(row.row), ...owner, reason];
      }
    }
    after = page[page.length - 1]!.row;
  }
}

function failureReason(row: StagedRowView, committed: boolean): string | null {
  if (!row.valid) return describeProblems(row.problems);
  if (committed && (row.result === 'failed' || row.result === 'skipped'))
    return row.resultMessage ?? row.result;
  if (!committed && row.action === 'skip')
    return row.problems.find((p) => p.code === 'row.skipped')?.message ?? 'skipped';
  return null;
}

/**
 * The writer of every CSV a person downloads (result files, templates, exports): UTF-8 with a BOM,
 * CRLF, and quotes around cells holding a line break or a character a spreadsheet may split on.
 * Cells go in neutralised (neutralizeCell).
 */
export function csvWriter(delimiter: CsvDelimiter = ',') {
  // A record delimiter given, csv-stringify quotes only cells holding it (\r\n), not a lone \n or \r.
  return stringify({
    bom: true,
    delimiter,
    record_delimiter: 'windows',
    quote_record_delimiter: true,
    quoted_match: CSV_QUOTED_CELL,
  });
}

async function writeCsv(
  file: string,
  header: string[],
  lines: AsyncIterable<string[]>,
  delimiter: CsvDelimiter,
): Promise<void> {
  const csv = csvWriter(delimiter);
  const source = (async function* () {
    yield header.map(neutralizeCell);
    for await (const line of lines) yield line.map(neutralizeCell);
  })();
  await pipeline(source, csv, fs.createWriteStream(file));
}

async function writeXlsx(
  file: string,
  header: string[],
  lines: AsyncIterable<string[]>,
  kind: ResultFileKind,
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: false,
    useStyles: true,
  });
  const sheet = workbook.addWorksheet(kind === 'failure' ? 'Failed rows' : 'Imported rows');
  const headerRow = sheet.addRow(header);
  headerRow.font = { bold: true };
  headerRow.commit();
  for await (const line of lines) {
    // Plain strings are written as string cells: "=1+1" stays text and is never evaluated.
    sheet.addRow(line).commit();
  }
  sheet.commit();
  await workbook.commit();
}
