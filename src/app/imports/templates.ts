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
    const sheet = workbook.addWorksheet(binding.target.label);
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
