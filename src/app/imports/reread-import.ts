import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Actor } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { DateOrders, leaningOf } from '../../core/import/dates.js';
import { markDuplicates, stageRows } from '../../core/import/engine.js';
import {
  autoMap,
  checkMapping,
  describeMapping,
  type Mapping,
  mappingNeeds,
} from '../../core/import/mapping.js';
import { openTabularFileInWorker } from '../../core/import/read/in-worker.js';
import { transition } from '../../core/import/status.js';
import { runOptions } from '../../core/import/target.js';
import { storeOwnerCounts } from '../../storage/queries/import-owners.js';
import { replaceStagedRows, stagedCounts } from '../../storage/queries/import-rows.js';
import * as imports from '../../storage/queries/imports.js';
import type { AppContext } from '../context.js';
import { readSettings } from '../settings.js';
import { audit, inTransaction } from '../shared.js';
import { tempFilePath } from '../temp-files.js';
import { visibleImport } from './access.js';
import {
  batchedStaging,
  discardStaging,
  fileMetaOf,
  fileRows,
  getImportView,
  withSavedMapping,
} from './create-import.js';
import { describeDateOrders } from './date-orders.js';
import { originalFiles } from './files.js';
import { moveStatus } from './move-status.js';
import type { ReadChoices } from './read-choices.js';
import { envFor } from './registry.js';
import { stagingFor } from './staging.js';
import type { ImportView } from './view.js';

/**
 * Reads an import's kept original again with other choices (encoding, delimiter, sheet; those left
 * out are detected again) and stages it anew, before any commit. Columns whose header the file still
 * has keep their field; the others are mapped afresh. The admin's cell fixes go with the old rows.
 *
 * The new rows are staged under a stand-in import (status `staging`, listed nowhere), batch by batch
 * as an upload's are, then change hands in one transaction that first moves the import's status: a
 * file that cannot be read this way, a commit asked for meanwhile, or any other failure leaves the
 * import as it was.
 */
export async function rereadImport(
  ctx: AppContext,
  actor: Actor,
  id: number,
  choices: ReadChoices,
  signal?: AbortSignal,
): Promise<ImportView> {
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  transition(seen.status, 'reread'); // the precise refusal before any work, when it is clear already
  refuseChoicesOfOtherFormat(seen.file.format, choices);
  const settings = await readSettings(ctx);
  const original = await originalFiles(ctx).open(id, seen.file.format);
  if (!original) throw errors.notFound('file', `${id}/original`);
  const copy = tempFilePath('reread', seen.file.format);
  try {
    await pipeline(original, fs.createWriteStream(copy));
    // The same bounded reader as an upload: a worker thread with its own heap and time.
    const source = await openTabularFileInWorker(
      copy,
      {
        fileName: seen.file.name,
        maxBytes: settings.importMaxFileBytes,
        maxRows: settings.importMaxRows,
        ...choices,
        ...(signal && { signal }),
      },
      { memoryMb: ctx.config.imports.readMemoryMb, timeoutMs: ctx.config.imports.readTimeoutMs },
    );
    try {
      const binding = ctx.targets.get(seen.target);
      const env = await envFor(ctx, binding, ctx.db, seen.scopeCustomerId);
      const fields = binding.target.fields(env);
      const mapping = keptMapping(seen, source.header, autoMap(source.header, fields));
      const problems = checkMapping(source.header, fields, mapping);
      if (problems.length > 0) throw errors.problems(problems);
      const standIn = await inTransaction(ctx, (db) =>
        imports.insertImport(
          db,
          {
            target: seen.target,
            status: 'staging',
            customerId: seen.customerId,
            scopeCustomerId: seen.scopeCustomerId,
            createdByAdminId: actor.adminId,
            createdBy: actor.label,
            fileName: seen.file.name,
            fileSize: seen.file.size,
            fileSha256: seen.file.sha256,
            fileFormat: source.format,
            options: seen.options,
            duplicateOf: null,
          },
          ctx.now().toISOString(),
        ),
      );
      try {
        const plan = {
          target: binding.target,
          env,
          fields,
          header: source.header,
          mapping,
          options: runOptions(seen.options),
          dates: new DateOrders(seen.options.dateOrder, leaningOf(source.delimiter)),
        };
        await stageRows(plan, fileRows(source.rows(), source.header), batchedStaging(ctx, standIn), {
          ...(signal && { signal }),
          maxStagedBytes: ctx.config.imports.maxStagedBytes,
        });
        await inTransaction(ctx, async (db) => {
          const at = ctx.now().toISOString();
          const needs = mappingNeeds(binding.target, seen.options);
          const complete = describeMapping(source.header, fields, mapping, needs).complete;
          await moveStatus(db, id, 'reread', at, complete);
          // The rows were checked under the mapping and options seen at the start: a change made
          // to them meanwhile would be lost, so it wins and this reading is dropped.
          const now = (await imports.findImport(db, id))!;
          if (!sameJson(now.mapping, seen.mapping) || !sameJson(now.options, seen.options)) {
            throw errors.conflict(
              'import.changed',
              'This import changed while its file was read again; reload it and try again.',
            );
          }
          await markDuplicates(plan, stagingFor(db, standIn));
          await replaceStagedRows(db, id, standIn);
          await imports.deleteImport(db, standIn);
          const counts = await stagedCounts(db, id);
          await storeOwnerCounts(db, id);
          await imports.updateImport(
            db,
            id,
            {
              fileFormat: source.format,
              header: source.header,
              mapping,
              fileMeta: { ...fileMetaOf(source), dateOrders: describeDateOrders(plan) },
              rows: { total: counts.total, valid: counts.valid, invalid: counts.invalid },
              planned: { actions: counts.planned, errorCodes: counts.errorCodes },
            },
            at,
          );
          await audit(ctx, db, actor, {
            action: 'import.reread',
            entityType: 'import',
            entityId: id,
            customerId: seen.customerId,
            details: { ...choices, rows: counts.total },
          });
        });
      } catch (e) {
        await discardStaging(ctx, standIn);
        throw e;
      }
    } finally {
      await source.close();
    }
  } finally {
    fs.rmSync(copy, { force: true });
  }
  return getImportView(ctx, id);
}

/**
 * Each column of the file as read now keeps the field its header had in the import's mapping; a
 * header the file did not have before takes the automatic match, unless that field is taken.
 */
function keptMapping(seen: imports.ImportRecord, header: readonly string[], auto: Mapping): Mapping {
  // Without a prototype: a header named "constructor" is a header like any other.
  const saved: Record<string, string | null> = Object.create(null);
  seen.header.forEach((h, i) => {
    if (!(h in saved)) saved[h] = seen.mapping.columns[i] ?? null;
  });
  return withSavedMapping(auto, header, saved);
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A sheet means nothing to a CSV file, an encoding or delimiter nothing to a workbook: said, not ignored. */
function refuseChoicesOfOtherFormat(format: string, choices: ReadChoices): void {
  const problems: { field: string; code: string; message: string }[] = [];
  if (format === 'csv' && choices.sheet !== undefined) {
    problems.push({
      field: 'sheet',
      code: 'import.choice_not_applicable',
      message: 'This file is a CSV file: it has no sheets. Choose its encoding or delimiter instead.',
    });
  }
  if (format !== 'csv') {
    for (const field of ['encoding', 'delimiter'] as const) {
      if (choices[field] === undefined) continue;
      problems.push({
        field,
        code: 'import.choice_not_applicable',
        message: `This file is a workbook (${format.toUpperCase()}): its cells have no ${field}. Choose its sheet instead.`,
      });
    }
  }
  if (problems.length > 0) throw errors.problems(problems);
}
