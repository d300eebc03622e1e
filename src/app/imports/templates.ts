import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { type Actor, authorize } from '../../core/access/policy.js';
import { neutralizeCell } from '../../core/import/export.js';
import type { ImportMode, TargetField } from '../../core/import/target.js';
import type { AppContext } from '../context.js';
import { tempFilePath } from '../temp-files.js';
import { optionsJsonSchema } from './options.js';
import { envFor } from './registry.js';
import { csvWriter, type FileFormat, type FileToSend } from './result-files.js';

export interface TargetDescription {
  name: string;
  label: string;
  description: string;
  modes: readonly ImportMode[];
  keyField: string;
  fields: TargetField[];
  /** The target's own options, as JSON Schema. */
  options: Record<string, unknown>;
  /** Rows grouped by owner: the field naming the owner, and what an owner is. */
  groupedBy: { field: string; noun: 'user' } | null;
}

export async function listTargets(ctx: AppContext, actor: Actor): Promise<TargetDescription[]> {
  authorize(actor, 'imports.read');
  return Promise.all(ctx.targets.names().map((name) => describeTarget(ctx, actor, name)));
}

export async function describeTarget(
  ctx: AppContext,
  actor: Actor,
  name: string,
): Promise<TargetDescription> {
  authorize(actor, 'imports.read');
  const binding = ctx.targets.get(name);
  const env = await envFor(ctx, binding, ctx.db, actor.customerId);
  const t = binding.target;
  return {
    name: t.name,
    label: t.label,
    description: t.description,
    modes: t.modes,
    keyField: t.keyField,
    fields: t.fields(env),
    options: optionsJsonSchema(t),
    groupedBy: t.groupedBy ? { field: t.groupedBy.field, noun: t.groupedBy.noun } : null,
  };
}

/** The template's second row: Required/Optional, and the allowed values or the default. */
export function hintFor(field: TargetField): string {
  const need = field.required ? 'Required' : 'Optional';
  if (field.allowed && field.allowed.length > 0) return `${need}: ${field.allowed.join(' | ')}`;
  if (field.multi) return `${need}: several values separated by ;`;
  if (field.type === 'date') return `${need}: YYYY-MM-DD`;
  return need;
}

const LIST_ROWS = 100_000;

/**
 * ExcelJS validates whole ranges (`dataValidations.add(range, rule)`, one `<dataValidation
 * sqref>` however many rows), streaming writer included, but leaves it out of its typings.
 */
interface RangeValidations {
  dataValidations: { add(range: string, rule: ExcelJS.DataValidation): void };
}

/** Fields whose values are text, whatever their characters: written and formatted as text. */
const isTextField = (field: TargetField): boolean =>
  field.type === 'text' || field.type === 'email' || field.type === 'enum';

/** Column letters of a 0-based column index (0 → A, 26 → AA). */
export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/**
 * A drop-down list (data validation) under the hint row for every single-value field with allowed
 * values (user type, status, a list attribute): a typo is caught as it is typed. Values are listed
 * in the formula itself, which Excel caps at 255 characters; a longer list is shown as a warning only.
 */
function addDropDowns(sheet: ExcelJS.Worksheet, fields: readonly TargetField[]): void {
  const ranged = sheet as unknown as RangeValidations;
  fields.forEach((field, index) => {
    const allowed = field.allowed ?? [];
    if (field.multi || allowed.length === 0 || allowed.some((value) => value.includes(','))) return;
    const list = `"${allowed.join(',').replace(/"/g, '""')}"`;
    if (list.length > 255) return;
    const letters = columnLetters(index);
    ranged.dataValidations.add(`${letters}3:${letters}${LIST_ROWS + 2}`, {
      type: 'list',
      allowBlank: !field.required,
      formulae: [list],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: field.label,
      error: `Choose one of: ${allowed.join(', ')}`.slice(0, 255),
    });
  });
}

/**
 * A template for a target: the header row, the hint row, and from row 3 the existing records
 * (within the admin's scope) when asked, so that a download–edit–upload round trip updates them.
 * Uploading it maps itself: its headers are the fields' own.
 */
export async function buildTemplate(
  ctx: AppContext,
  actor: Actor,
  name: string,
  format: FileFormat,
  includeExisting: boolean,
): Promise<FileToSend> {
  authorize(actor, includeExisting ? 'directory.read' : 'imports.read');
  const binding = ctx.targets.get(name);
  const env = await envFor(ctx, binding, ctx.db, actor.customerId);
  const fields = binding.target.fields(env);
  const file = tempFilePath('template', format);
  const rows = (async function* () {
    yield fields.map((f) => f.column);
    yield fields.map(hintFor);
    if (!includeExisting || !binding.target.existing) return;
    let after = 0;
    for (;;) {
      const page = await binding.target.existing(env, after, 1000);
      if (page.length === 0) return;
      for (const r of page) yield fields.map((f) => r.cells[f.key] ?? '');
      after = page[page.length - 1]!.cursor;
    }
  })();
  if (format === 'csv') {
    const neutral = (async function* () {
      for await (const r of rows) yield r.map(neutralizeCell);
    })();
    await pipeline(neutral, csvWriter(), fs.createWriteStream(file));
  } else {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useSharedStrings: false,
      useStyles: true,
    });
    const sheet = workbook.addWorksheet(binding.target.label, {
      // The header and hint rows stay in view while the rows below scroll.
      views: [{ state: 'frozen', ySplit: 2 }],
    });
    sheet.columns = fields.map((f) => ({
      key: f.key,
      width: Math.min(40, Math.max(12, f.column.length + 2, Math.ceil(hintFor(f).length * 0.8))),
      // Text fields are formatted as text, so that what is typed into them stays as typed: an
      // employee number or postcode keeps its leading zeros, a long number its digits.
      ...(isTextField(f) && { style: { numFmt: '@' } }),
    }));
    addDropDowns(sheet, fields);
    let n = 0;
    for await (const r of rows) {
      const row = sheet.addRow(r);
      if (n === 0) row.font = { bold: true };
      if (n === 1) row.font = { italic: true, color: { argb: 'FF666666' } };
      row.commit();
      n++;
    }
    sheet.commit();
    await workbook.commit();
  }
  // Made for this download: gone once sent, or once the client went away.
  const body = fs.createReadStream(file);
  body.on('close', () => fs.rmSync(file, { force: true }));
  return {
    body,
    fileName: `${name}-template.${format}`,
    contentType:
      format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
}
