import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { type Actor, authorize } from '../../core/access/policy.js';
import { neutralizeCell } from '../../core/import/export.js';
import type { ImportMode, TargetField } from '../../core/import/target.js';
import type { AppContext } from '../context.js';
import { visibleCustomer } from '../customers.js';
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
  /** Whether the target takes custom attributes, which the review may create for an unmapped column. */
  customAttributes: boolean;
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
    customAttributes: binding.attributesOf !== undefined,
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

/** Excel's limit on a list validation's formula written inline (`"a,b,c"`). */
const INLINE_LIST_CHARS = 255;
/** The hidden sheet holding the lists too long, or too awkward, to write inline. */
const LISTS_SHEET = 'Lists';

/** A drop-down list of one column: where it is, what it offers. */
interface DropDown {
  index: number;
  field: TargetField;
  values: readonly string[];
}

/**
 * The drop-down lists of a template: a field's allowed values (user type, status, a list
 * attribute) or, for the fields the target names, values of the directory (the customer's sites,
 * the active portal roles).
 */
function dropDownsOf(fields: readonly TargetField[], choices: Record<string, readonly string[]>): DropDown[] {
  return fields.flatMap((field, index) => {
    const values = choices[field.key] ?? field.allowed ?? [];
    return values.length === 0 ? [] : [{ index, field, values }];
  });
}

/**
 * Data validation under the hint row for each drop-down: a typo is caught as it is typed. A list is
 * written in the formula itself while it fits Excel's 255 characters (and holds no comma or quote);
 * a longer one is a range of the hidden `Lists` sheet, one column per list, written by
 * `writeListsSheet`. A field taking several values (roles) keeps its list as a suggestion: Excel
 * then only warns, so `A; B` can still be typed.
 */
function addDropDowns(sheet: ExcelJS.Worksheet, dropDowns: readonly DropDown[]): DropDown[] {
  const ranged = sheet as unknown as RangeValidations;
  const onListsSheet: DropDown[] = [];
  for (const d of dropDowns) {
    const inline = `"${d.values.join(',')}"`;
    const fitsInline =
      inline.length <= INLINE_LIST_CHARS && !d.values.some((v) => v.includes(',') || v.includes('"'));
    let formula = inline;
    if (!fitsInline) {
      const column = columnLetters(onListsSheet.length);
      onListsSheet.push(d);
      formula = `'${LISTS_SHEET}'!$${column}$1:$${column}$${d.values.length}`;
    }
    const letters = columnLetters(d.index);
    const several = d.field.multi === true;
    const named = inline.length <= INLINE_LIST_CHARS ? `: ${d.values.join(', ')}` : ' from the list';
    ranged.dataValidations.add(`${letters}3:${letters}${LIST_ROWS + 2}`, {
      type: 'list',
      allowBlank: !d.field.required,
      formulae: [formula],
      showErrorMessage: true,
      errorStyle: several ? 'information' : 'stop',
      errorTitle: d.field.label,
      error: (several ? `Choose one, or type several separated by ;${named}` : `Choose one${named}`).slice(
        0,
        255,
      ),
    });
  }
  return onListsSheet;
}

/** The hidden sheet of the lists too long to write inline: column A the first list, B the second… */
function writeListsSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, lists: readonly DropDown[]): void {
  if (lists.length === 0) return;
  const sheet = workbook.addWorksheet(LISTS_SHEET, { state: 'hidden' });
  const rows = Math.max(...lists.map((d) => d.values.length));
  for (let i = 0; i < rows; i++) {
    // Written as text: a value such as =1+1 or 00123 stays what the directory holds.
    sheet.addRow(lists.map((d) => d.values[i] ?? null)).commit();
  }
  sheet.commit();
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
  requestedCustomerId?: number,
): Promise<FileToSend> {
  authorize(actor, includeExisting ? 'directory.read' : 'imports.read');
  const binding = ctx.targets.get(name);
  // A scoped admin's template is always for their customer; another's is not found, as anywhere.
  const customerId = actor.customerId ?? requestedCustomerId ?? null;
  if (customerId !== null) await visibleCustomer(ctx, actor, customerId);
  const env = await envFor(ctx, binding, ctx.db, actor.customerId);
  const target = binding.target;
  const existing = target.existing;
  const records =
    includeExisting && existing
      ? (async function* () {
          let after = 0;
          for (;;) {
            const page = await existing.call(target, env, after, 1000);
            if (page.length === 0) return;
            yield page.map((r) => r.cells);
            after = page[page.length - 1]!.cursor;
          }
        })()
      : null;
  const choices = target.templateChoices?.(env, customerId) ?? {};
  return writeTemplate(
    target.label,
    target.fields(env),
    choices,
    format,
    records,
    `${name}-template.${format}`,
  );
}

/**
 * Writes a template file: the header row, the hint row, then the records given (pages of cells by
 * field key), as CSV or as an XLSX workbook with its drop-downs and text formats.
 */
export async function writeTemplate(
  label: string,
  fields: readonly TargetField[],
  /** Drop-down values from the directory, by field key (`ImportTarget.templateChoices`). */
  choices: Record<string, readonly string[]>,
  format: FileFormat,
  records: AsyncIterable<readonly Record<string, string>[]> | null,
  fileName: string,
): Promise<FileToSend> {
  const file = tempFilePath('template', format);
  const rows = (async function* () {
    yield fields.map((f) => f.column);
    yield fields.map(hintFor);
    if (!records) return;
    for await (const page of records) for (const cells of page) yield fields.map((f) => cells[f.key] ?? '');
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
    const sheet = workbook.addWorksheet(label, {
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
    const onListsSheet = addDropDowns(sheet, dropDownsOf(fields, choices));
    let n = 0;
    for await (const r of rows) {
      const row = sheet.addRow(r);
      if (n === 0) row.font = { bold: true };
      if (n === 1) row.font = { italic: true, color: { argb: 'FF666666' } };
      row.commit();
      n++;
    }
    sheet.commit();
    writeListsSheet(workbook, onListsSheet);
    await workbook.commit();
  }
  // Made for this download: gone once sent, or once the client went away.
  const body = fs.createReadStream(file);
  body.on('close', () => fs.rmSync(file, { force: true }));
  return {
    body,
    fileName,
    contentType:
      format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
}
