import { type Actor, authorize } from '../../core/access/policy.js';
import { appError, errors } from '../../core/errors.js';
import { DateOrders, leaningOf } from '../../core/import/dates.js';
import { markDuplicates, type StagingPort, stageRows } from '../../core/import/engine.js';
import {
  autoMap,
  checkMapping,
  describeMapping,
  type Mapping,
  mappingNeeds,
} from '../../core/import/mapping.js';
import { openTabularFileInWorker } from '../../core/import/read/in-worker.js';
import type { TabularMeta, TabularRow } from '../../core/import/read/types.js';
import { type OptionsInput, runOptions, type TargetField } from '../../core/import/target.js';
import type { FileRow } from '../../core/import/validate.js';
import * as changes from '../../storage/queries/import-changes.js';
import { ownerCount, storeOwnerCounts } from '../../storage/queries/import-owners.js';
import { stagedCounts } from '../../storage/queries/import-rows.js';
import * as imports from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';
import { readSettings } from '../settings.js';
import { audit, inTransaction } from '../shared.js';
import { assertTargetAllowed } from './access.js';
import { findConfigNamed, withConfigOptions } from './configs.js';
import { describeDateOrders } from './date-orders.js';
import { fileDigest, originalFiles } from './files.js';
import { moveStatus } from './move-status.js';
import { resolveOptions } from './options.js';
import { ownersSummary } from './owners.js';
import type { ReadChoices } from './read-choices.js';
import { envFor } from './registry.js';
import { stagingFor } from './staging.js';
import { type ImportView, toView } from './view.js';

export interface CreateImportInput {
  /** The target's name; without it, the configuration's, else `users`. */
  target?: string;
  fileName: string;
  /** The uploaded file, already on disk (a temporary file the caller removes). */
  filePath: string;
  options?: OptionsInput;
  /** A mapping to use instead of the automatic one. */
  mapping?: Mapping;
  /**
   * A saved configuration, by name: its target, its options under the upload's own, and its
   * mapping by column header (columns it does not name are mapped automatically).
   */
  config?: string;
  /** Aborted when the client goes away: the reading stops, and nothing is kept. */
  signal?: AbortSignal;
  /** Encoding, delimiter or sheet chosen by the admin instead of the detected ones. */
  read?: ReadChoices;
}

/**
 * Reads an uploaded file, maps it, validates every row and stages it: the import ends
 * `validated` (ready to review and commit) or `mapping_required`. A file that cannot be read, or
 * breaks a limit, leaves nothing behind. This is also the whole of a dry run.
 */
export async function createImport(
  ctx: AppContext,
  actor: Actor,
  input: CreateImportInput,
): Promise<ImportView> {
  authorize(actor, 'imports.run');
  const config = input.config === undefined ? undefined : await findConfigNamed(ctx, actor, input.config);
  const target = input.target ?? config?.target ?? 'users';
  const binding = ctx.targets.get(target);
  await assertTargetAllowed(ctx, actor, binding);
  const options = await resolveOptions(
    ctx,
    actor,
    binding,
    withConfigOptions(config?.options, input.options),
  );
  const settings = await readSettings(ctx);
  const { sha256, size } = await fileDigest(input.filePath);
  const duplicateOf = (await imports.findCommittedBySha(ctx.db, sha256, target)) ?? null;
  // In a worker thread with a heap and a time of its own: a hostile file can fail the upload, not the server.
  const source = await openTabularFileInWorker(
    input.filePath,
    {
      fileName: input.fileName,
      maxBytes: settings.importMaxFileBytes,
      maxRows: settings.importMaxRows,
      ...input.read,
      ...(input.signal && { signal: input.signal }),
    },
    { memoryMb: ctx.config.imports.readMemoryMb, timeoutMs: ctx.config.imports.readTimeoutMs },
  );
  try {
    const env = await envFor(ctx, binding, ctx.db, actor.customerId);
    const fields = binding.target.fields(env);
    const mapping =
      input.mapping ?? withSavedMapping(autoMap(source.header, fields), source.header, config?.mapping);
    const mappingProblems = checkMapping(source.header, fields, mapping);
    if (mappingProblems.length > 0) {
      // The mapping came in the upload's `mapping` field (or from a saved configuration).
      throw errors.problems(mappingProblems.map((p) => ({ ...p, field: `mapping.${p.field}` })));
    }
    const newImport = {
      target,
      status: 'staging' as const,
      customerId: options.customerId,
      scopeCustomerId: actor.customerId,
      createdByAdminId: actor.adminId,
      createdBy: actor.label,
      fileName: input.fileName,
      fileSize: size,
      fileSha256: sha256,
      fileFormat: source.format,
      options,
      duplicateOf,
    };
    const id = await inTransaction(ctx, (db) => imports.insertImport(db, newImport, ctx.now().toISOString()));
    try {
      const plan = {
        target: binding.target,
        env,
        fields,
        header: source.header,
        mapping,
        options: runOptions(options),
        dates: new DateOrders(options.dateOrder, leaningOf(source.delimiter)),
      };
      // Each batch in a transaction of its own: another request's write waits for one batch at
      // most, not for the whole file. Until its status moves on, nobody else sees the import.
      await stageRows(plan, fileRows(source.rows(), source.header), batchedStaging(ctx, id), {
        ...(input.signal && { signal: input.signal }),
        maxStagedBytes: ctx.config.imports.maxStagedBytes,
      });
      if (binding.target.groupedBy) {
        const found = await ownerCount(ctx.db, id);
        if (found > settings.importMaxOwners) throw tooManyOwners(settings.importMaxOwners, found);
      }
      await originalFiles(ctx).keep(id, source.format, input.filePath);
      await inTransaction(ctx, async (db) => {
        const at = ctx.now().toISOString();
        await markDuplicates(plan, stagingFor(db, id));
        const counts = await stagedCounts(db, id);
        await storeOwnerCounts(db, id);
        const needs = mappingNeeds(binding.target, options);
        const complete = describeMapping(source.header, fields, mapping, needs).complete;
        await moveStatus(db, id, 'staged', at, complete);
        await imports.updateImport(
          db,
          id,
          {
            header: source.header,
            mapping,
            fileMeta: { ...fileMetaOf(source), dateOrders: describeDateOrders(plan) },
            rows: { total: counts.total, valid: counts.valid, invalid: counts.invalid },
            planned: { actions: counts.planned, errorCodes: counts.errorCodes },
          },
          at,
        );
        await audit(ctx, db, actor, {
          action: 'import.create',
          entityType: 'import',
          entityId: id,
          customerId: options.customerId,
          details: { target, file: input.fileName, rows: counts.total, sha256 },
        });
      });
      return getImportView(ctx, id);
    } catch (e) {
      await discardStaging(ctx, id);
      throw e;
    }
  } finally {
    await source.close();
  }
}

/** A file naming more owners than one import takes: refused, with what to do instead. */
function tooManyOwners(limit: number, found: number) {
  const n = (v: number) => v.toLocaleString('en-US');
  return appError(
    'import.too_many_owners',
    `The file names ${n(found)} owners; one import takes at most ${n(limit)}. Split it into files of at most ${n(limit)} owners each and import them one after the other: "roster import FILE --split" does both, keeping each owner's rows in one part.`,
    { limit, actual: found },
  );
}

/** The staging port with each insert in a transaction of its own. */
export function batchedStaging(ctx: AppContext, id: number): StagingPort {
  const direct = stagingFor(ctx.db, id);
  return {
    ...direct,
    insert: (staged) => inTransaction(ctx, (db) => stagingFor(db, id).insert(staged)),
  };
}

/** An import whose file could not be staged leaves nothing behind: its rows and files go. */
export async function discardStaging(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx, (db) => imports.deleteImport(db, id));
  originalFiles(ctx).remove(id);
}

/** Columns a saved configuration names take its field; the others keep the automatic match, unless it clashes. */
export function withSavedMapping(
  auto: Mapping,
  header: readonly string[],
  saved: Record<string, string | null> | undefined,
): Mapping {
  if (!saved) return auto;
  const columns = header.map((h, i) => (h in saved ? (saved[h] ?? null) : (auto.columns[i] ?? null)));
  const seen = new Set<string>();
  return {
    columns: columns.map((key, i) => {
      if (key === null) return null;
      const fromSaved = header[i]! in saved;
      if (seen.has(key) && !fromSaved) return null;
      seen.add(key);
      return key;
    }),
  };
}

/** What the reading found, kept with the import and shown by its view (`file.meta`). */
export function fileMetaOf(source: TabularMeta): Record<string, unknown> {
  return {
    format: source.format,
    encoding: source.encoding ?? null,
    byteOrderMark: source.byteOrderMark ?? null,
    delimiter: source.delimiter ?? null,
    lineEnding: source.lineEnding ?? null,
    detected: source.detected ?? null,
    sepLine: source.sepLine ?? false,
    invalidBytes: source.invalidBytes ?? 0,
    sheet: source.sheet ?? null,
    headerRow: source.headerRowNumber,
    hintRowSkipped: source.hintRowSkipped,
  };
}

/** The file's rows as the engine takes them: what the reader could not read exactly as row problems. */
export async function* fileRows(
  rows: AsyncIterable<TabularRow>,
  header: readonly string[],
): AsyncGenerator<FileRow> {
  for await (const r of rows) {
    if (!r.problems) {
      yield { row: r.rowNumber, cells: r.cells };
      continue;
    }
    yield {
      row: r.rowNumber,
      cells: r.cells,
      readProblems: r.problems.map((p) => {
        const column = p.column === null ? null : (header[p.column] ?? `Column ${p.column + 1}`);
        return {
          row: r.rowNumber,
          column,
          value: p.column === null ? null : (r.cells[p.column] ?? ''),
          code: p.code,
          message: p.message,
          severity: p.severity,
          source: 'cell' as const,
        };
      }),
    };
  }
}

export async function getImportView(ctx: AppContext, id: number): Promise<ImportView> {
  const rec = await imports.findImport(ctx.db, id);
  if (!rec) throw errors.notFound('import', id);
  return importViewer(ctx)(rec);
}

/**
 * Shows import records as views, loading each target's fields (they depend on the directory's
 * custom attributes) once per viewer rather than once per record: for lists and live updates.
 * Progress includes what a commit running in this process has done since its last save.
 */
export function importViewer(ctx: AppContext): (rec: imports.ImportRecord) => Promise<ImportView> {
  const fields = new Map<string, Promise<TargetField[]>>();
  return async (rec) => {
    const key = `${rec.target}:${rec.scopeCustomerId}`;
    let loading = fields.get(key);
    if (!loading) {
      const binding = ctx.targets.get(rec.target);
      loading = envFor(ctx, binding, ctx.db, rec.scopeCustomerId).then((env) => binding.target.fields(env));
      fields.set(key, loading);
    }
    const target = ctx.targets.get(rec.target).target;
    const view = toView(rec, await loading, ctx.now(), mappingNeeds(target, rec.options));
    const live = ctx.live.get(rec.id);
    if (live && live.done > view.progress.done) view.progress.done = live.done;
    // While rolling back, the progress is the rollback's: the recorded changes dealt with.
    if (rec.status === 'rolling_back') {
      const undone = await changes.revertedCount(ctx.db, rec.id);
      view.progress = { ...undone, ratePerSecond: null, etaSeconds: null };
    }
    const owners = await ownersSummary(ctx, rec);
    if (owners) {
      view.owners = owners.summary;
      view.progress.owners = owners.progress;
    }
    return view;
  };
}
