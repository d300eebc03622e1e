import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { cancelImport, requestCommit } from '../../app/imports/commit-import.js';
import {
  deleteConfig,
  getConfig,
  listConfigs,
  saveConfig,
  saveImportAsConfig,
} from '../../app/imports/configs.js';
import { createImport } from '../../app/imports/create-import.js';
import { createMissing } from '../../app/imports/create-missing.js';
import { applyFix, listFixes, listInvalidValues } from '../../app/imports/fixes.js';
import {
  fixRowCells,
  getImport,
  listImports,
  listRows,
  setMapping,
  setOptions,
  watchImport,
} from '../../app/imports/manage-import.js';
import { listOwners, setExcluded, skipOwners } from '../../app/imports/owners.js';
import { parseReadChoices } from '../../app/imports/read-choices.js';
import { takeReadSlot } from '../../app/imports/read-slots.js';
import { rereadImport } from '../../app/imports/reread-import.js';
import { importFile } from '../../app/imports/result-files.js';
import { requestRollback } from '../../app/imports/rollback-import.js';
import { buildTemplate, describeTarget, listTargets } from '../../app/imports/templates.js';
import { readSettings } from '../../app/settings.js';
import { authorize } from '../../core/access/policy.js';
import { errors } from '../../core/errors.js';
import { JOB_ENDED_STATUSES, WRITING_STATUSES } from '../../core/import/status.js';
import { problemsOfIssues } from '../../core/problems.js';
import { sendAttachment } from '../content-disposition.js';
import {
  CommitChoice,
  ConfigInput,
  FileParams,
  FixInput,
  FixList,
  FixResult,
  type FixView,
  FormatQuery,
  ImportConfig,
  ImportList,
  ImportListQuery,
  ImportOptionsInput,
  ImportOwners,
  ImportView,
  InvalidValues,
  InvalidValuesQuery,
  MappingInput,
  MissingInput,
  OptionalOwnersChoice,
  OwnersChoice,
  OwnersExclude,
  ReadChoicesInput,
  RowFix,
  RowParams,
  RowsPage,
  RowsQuery,
  StagedRow,
  TargetDescription,
  TargetParams,
  TemplateQuery,
} from '../import-schemas.js';
import { actorOf } from '../plugins/auth.js';
import { errorResponses, IdParam, Ok } from '../schemas.js';
import { receiveUpload } from '../upload.js';

function parseJsonField<T extends z.ZodType>(
  schema: T,
  raw: string | undefined,
  name: string,
): z.output<T> | undefined {
  if (raw === undefined || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw errors.field('request.invalid', name, `The "${name}" field is not valid JSON.`, {
      problem: 'request.malformed_json',
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw errors.problems(problemsOfIssues(parsed.error.issues, name));
  }
  return parsed.data;
}

export function importRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/import-targets',
    {
      schema: {
        tags: ['imports'],
        summary: 'What can be imported, with each target’s fields',
        response: { 200: z.array(TargetDescription), ...errorResponses },
      },
    },
    (req) => listTargets(ctx, actorOf(req)),
  );
  r.get(
    '/api/v1/import-targets/:target',
    {
      schema: {
        tags: ['imports'],
        params: TargetParams,
        response: { 200: TargetDescription, ...errorResponses },
      },
    },
    (req) => describeTarget(ctx, actorOf(req), req.params.target),
  );
  r.get(
    '/api/v1/import-targets/:target/template',
    {
      schema: {
        tags: ['imports'],
        summary:
          'Download a template: header, hint row, and optionally the existing records; the XLSX one has drop-down lists of allowed values and, for `customerId`, of its sites and the active portal roles',
        params: TargetParams,
        querystring: TemplateQuery,
      },
    },
    async (req, reply) =>
      sendAttachment(
        reply,
        await buildTemplate(
          ctx,
          actorOf(req),
          req.params.target,
          req.query.format,
          req.query.includeExisting === 'true',
          req.query.customerId,
        ),
      ),
  );

  r.post(
    '/api/v1/imports',
    {
      schema: {
        tags: ['imports'],
        summary: 'Upload a file: it is read, mapped, validated and staged (a dry run); commit it afterwards',
        description:
          'multipart/form-data with fields: `file` (CSV, TSV, TXT, XLSX or ODS), `target` (e.g. users), optional `options` (JSON: mode, emptyCells, atomic, customerId, and `targetOptions`, the target’s own: see `options` in GET /import-targets), optional `mapping` (JSON: {"columns": [...]}) or `config` (the name of a saved configuration); optional `encoding` (utf-8, utf-16le, utf-16be, windows-1252, macintosh), `delimiter` (`,` `;` `|` or `tab`) and `sheet` (a workbook sheet\'s name) to read the file otherwise than detected (what was detected is in the answer\'s `file.meta`).',
        consumes: ['multipart/form-data'],
        response: {
          201: ImportView,
          ...errorResponses,
          413: errorResponses[400],
          415: errorResponses[400],
          422: errorResponses[400],
          503: errorResponses[400],
        },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'imports.run');
      const settings = await readSettings(ctx);
      const release = takeReadSlot(ctx);
      // The client going away (closing the connection before the answer) stops the reading.
      const gone = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableEnded) gone.abort(errors.clientGone());
      };
      reply.raw.on('close', onClose);
      let upload: Awaited<ReturnType<typeof receiveUpload>>;
      try {
        upload = await receiveUpload(req, settings.importMaxFileBytes);
      } catch (e) {
        release();
        reply.raw.off('close', onClose);
        throw e;
      }
      try {
        const options = parseJsonField(ImportOptionsInput, upload.fields.options, 'options');
        const mapping = parseJsonField(MappingInput, upload.fields.mapping, 'mapping');
        const read = parseReadChoices(upload.fields);
        const view = await createImport(ctx, actor, {
          read,
          ...(upload.fields.target !== undefined && { target: upload.fields.target }),
          ...(upload.fields.config !== undefined && { config: upload.fields.config }),
          fileName: upload.fileName,
          filePath: upload.filePath,
          ...(options && { options }),
          ...(mapping && { mapping }),
          signal: gone.signal,
        });
        return reply.status(201).send(view);
      } finally {
        upload.cleanup();
        release();
        reply.raw.off('close', onClose);
      }
    },
  );

  r.get(
    '/api/v1/imports',
    {
      schema: {
        tags: ['imports'],
        summary:
          'Import history, newest first; filtered by status, target, who started it, date range and file name',
        querystring: ImportListQuery,
        response: {
          200: ImportList,
          ...errorResponses,
        },
      },
    },
    (req) => listImports(ctx, actorOf(req), req.query),
  );
  r.get(
    '/api/v1/imports/:id',
    { schema: { tags: ['imports'], params: IdParam, response: { 200: ImportView, ...errorResponses } } },
    (req) => getImport(ctx, actorOf(req), req.params.id),
  );
  r.put(
    '/api/v1/imports/:id/mapping',
    {
      schema: {
        tags: ['imports'],
        summary: 'Change the column mapping; every row is validated again',
        params: IdParam,
        body: MappingInput,
        response: { 200: ImportView, ...errorResponses },
      },
    },
    (req) => setMapping(ctx, actorOf(req), req.params.id, req.body),
  );
  r.put(
    '/api/v1/imports/:id/source',
    {
      schema: {
        tags: ['imports'],
        summary:
          'Read the kept file again with another encoding, delimiter or sheet (those left out are detected again), before committing; every row is staged anew',
        description:
          'Columns whose header is still there keep their field; the others are mapped automatically. Fixes made to cells go with the old rows. A file that cannot be read so, or a commit asked for meanwhile, leaves the import as it was.',
        params: IdParam,
        body: ReadChoicesInput,
        response: {
          200: ImportView,
          ...errorResponses,
          413: errorResponses[400],
          422: errorResponses[400],
          503: errorResponses[400],
        },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      authorize(actor, 'imports.run');
      const choices = parseReadChoices(req.body);
      const release = takeReadSlot(ctx);
      // As for an upload: the client going away stops the reading.
      const gone = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableEnded) gone.abort(errors.clientGone());
      };
      reply.raw.on('close', onClose);
      try {
        return await rereadImport(ctx, actor, req.params.id, choices, gone.signal);
      } finally {
        release();
        reply.raw.off('close', onClose);
      }
    },
  );
  r.put(
    '/api/v1/imports/:id/options',
    {
      schema: {
        tags: ['imports'],
        summary: 'Change the options before committing; every row is validated again under them',
        params: IdParam,
        body: ImportOptionsInput,
        response: { 200: ImportView, ...errorResponses },
      },
    },
    (req) => setOptions(ctx, actorOf(req), req.params.id, req.body),
  );
  r.get(
    '/api/v1/imports/:id/rows',
    {
      schema: {
        tags: ['imports'],
        summary: 'Staged rows with their problems: filter, page',
        params: IdParam,
        querystring: RowsQuery,
        response: {
          200: RowsPage,
          ...errorResponses,
        },
      },
    },
    (req) => {
      const q = req.query;
      const filter = q.code ? { kind: 'code' as const, code: q.code } : { kind: q.filter };
      return listRows(ctx, actorOf(req), req.params.id, {
        filter,
        ...(q.after !== undefined && { afterRow: q.after }),
        ...(q.offset !== undefined && { offset: q.offset }),
        ...(q.owner !== undefined && { owner: q.owner }),
        limit: q.limit,
      });
    },
  );
  r.patch(
    '/api/v1/imports/:id/rows/:row',
    {
      schema: {
        tags: ['imports'],
        summary: 'Fix cells of a row; it is validated again at once (with its duplicates)',
        params: RowParams,
        body: RowFix,
        response: { 200: z.object({ rows: z.array(StagedRow), import: ImportView }), ...errorResponses },
      },
    },
    (req) => fixRowCells(ctx, actorOf(req), req.params.id, req.params.row, req.body.cells),
  );
  r.get(
    '/api/v1/imports/:id/fixes',
    {
      schema: {
        tags: ['imports'],
        summary: "The bulk fixes made in the review, oldest first (the import's fix history)",
        params: IdParam,
        response: { 200: FixList, ...errorResponses },
      },
    },
    async (req) => ({
      items: (await listFixes(ctx, actorOf(req), req.params.id)) as z.infer<typeof FixView>[],
    }),
  );
  r.get(
    '/api/v1/imports/:id/fixes/values',
    {
      schema: {
        tags: ['imports'],
        summary:
          'The distinct values of a column in the rows with a problem on it, with how many rows hold each (to build a value map)',
        params: IdParam,
        querystring: InvalidValuesQuery,
        response: { 200: InvalidValues, ...errorResponses },
      },
    },
    (req) => listInvalidValues(ctx, actorOf(req), req.params.id, req.query),
  );
  r.post(
    '/api/v1/imports/:id/fixes',
    {
      schema: {
        tags: ['imports'],
        summary:
          'Fix many rows at once (a suggestion, a value map, a find and replace in a column); the rows changed are validated again and the fix is kept in the history',
        params: IdParam,
        body: FixInput,
        response: { 200: FixResult, ...errorResponses },
      },
    },
    async (req) => {
      const answer = await applyFix(ctx, actorOf(req), req.params.id, req.body);
      return { ...answer, fix: answer.fix as z.infer<typeof FixView> };
    },
  );
  r.post(
    '/api/v1/imports/:id/fixes/create',
    {
      schema: {
        tags: ['imports'],
        summary:
          'Create what rows name but is missing (a site of the customer, a portal role, a group) or a custom attribute for an unmapped column; the rows concerned are validated again and the creation is kept in the history',
        description:
          'A site needs `customers.manage` (a scoped admin: in their own customer only); a role, group or attribute needs `config.manage`. A refusal (empty name, name taken, …) creates nothing and changes no row.',
        params: IdParam,
        body: MissingInput,
        response: { 200: FixResult, ...errorResponses },
      },
    },
    async (req) => {
      const answer = await createMissing(ctx, actorOf(req), req.params.id, req.body);
      return { ...answer, fix: answer.fix as z.infer<typeof FixView> };
    },
  );
  r.post(
    '/api/v1/imports/:id/commit',
    {
      schema: {
        tags: ['imports'],
        summary: 'Commit in the background',
        description:
          'On an import grouped by owner (its target has `groupedBy`): `owners` commits those owners’ valid rows (each pending), one job; without it every included pending owner’s, one job, owner after owner. On others, `firstRows` commits the first N valid rows and stops, partly committed.',
        params: IdParam,
        body: CommitChoice,
        response: { 202: ImportView, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(202).send(
        await requestCommit(ctx, actorOf(req), req.params.id, req.body?.owners, req.body?.firstRows, {
          confirmDeletes: req.body?.confirmDeletes,
        }),
      ),
  );
  r.get(
    '/api/v1/imports/:id/owners',
    {
      schema: {
        tags: ['imports'],
        summary:
          'The owners of an import grouped by owner: counts per owner, and the values that matched nobody',
        params: IdParam,
        response: { 200: ImportOwners, ...errorResponses },
      },
    },
    (req) => listOwners(ctx, actorOf(req), req.params.id),
  );
  r.put(
    '/api/v1/imports/:id/owners',
    {
      schema: {
        tags: ['imports'],
        summary: 'Choose the owners to leave out (their Import box off); only pending owners change',
        params: IdParam,
        body: OwnersExclude,
        response: { 200: ImportOwners, ...errorResponses },
      },
    },
    (req) => setExcluded(ctx, actorOf(req), req.params.id, req.body.excluded),
  );
  r.post(
    '/api/v1/imports/:id/owners/skip',
    {
      schema: {
        tags: ['imports'],
        summary: 'Skip pending owners: their rows are not imported',
        params: IdParam,
        body: OwnersChoice,
        response: { 200: ImportView, ...errorResponses },
      },
    },
    (req) => skipOwners(ctx, actorOf(req), req.params.id, req.body.owners),
  );
  r.post(
    '/api/v1/imports/:id/cancel',
    { schema: { tags: ['imports'], params: IdParam, response: { 200: ImportView, ...errorResponses } } },
    (req) => cancelImport(ctx, actorOf(req), req.params.id),
  );
  r.post(
    '/api/v1/imports/:id/rollback',
    {
      schema: {
        tags: ['imports'],
        summary: 'Undo: delete what it created, restore what it changed, leave alone what changed since',
        description:
          'On an import grouped by owner, `owners` undoes only those owners’ records (each one whose rows were imported); the other owners’ stay.',
        params: IdParam,
        body: OptionalOwnersChoice,
        response: { 202: ImportView, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await requestRollback(ctx, actorOf(req), req.params.id, req.body?.owners)),
  );
  r.get(
    '/api/v1/imports/:id/files/:kind',
    {
      schema: {
        tags: ['imports'],
        summary: 'The original file, or the success or failure file',
        params: FileParams,
        querystring: FormatQuery,
      },
    },
    async (req, reply) =>
      sendAttachment(
        reply,
        await importFile(ctx, actorOf(req), req.params.id, req.params.kind, req.query.format),
      ),
  );
  r.get(
    '/api/v1/imports/:id/events',
    {
      schema: {
        tags: ['imports'],
        summary:
          'Live progress as server-sent events: `progress` on every change, then `done` when the commit or rollback ends (a stream opened before the commit waits for it)',
        params: IdParam,
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const id = req.params.id;
      const next = await watchImport(ctx, actor, id);
      let view = await next();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      let closed = false;
      let sawJob = false;
      req.raw.on('close', () => {
        closed = true;
      });
      // Until a job ends: a stream opened before the commit waits for it (a heartbeat keeps it open).
      let last = '';
      let quietSince = Date.now();
      while (!closed) {
        const progress = JSON.stringify({
          status: view.status,
          progress: view.progress,
          counts: view.counts,
        });
        if (progress !== last) {
          res.write(`event: progress\ndata: ${progress}\n\n`);
          last = progress;
          quietSince = Date.now();
        } else if (Date.now() - quietSince > 15_000) {
          res.write(': still here\n\n');
          quietSince = Date.now();
        }
        // A grouped import's commit job may end with owners still pending: done once a job was seen.
        if (WRITING_STATUSES.includes(view.status)) sawJob = true;
        if (JOB_ENDED_STATUSES.includes(view.status) || (sawJob && view.status === 'partly_committed')) {
          res.write(`event: done\ndata: ${JSON.stringify({ status: view.status, counts: view.counts })}\n\n`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        view = await next();
      }
      res.end();
    },
  );

  r.get(
    '/api/v1/import-configs',
    {
      schema: {
        tags: ['import configurations'],
        summary:
          "Saved configurations: a customer-scoped admin's customer's and the shared ones; every one for admins without a scope",
        response: { 200: z.array(ImportConfig), ...errorResponses },
      },
    },
    (req) => listConfigs(ctx, actorOf(req)),
  );
  r.post(
    '/api/v1/import-configs',
    {
      schema: {
        tags: ['import configurations'],
        summary: 'Save a configuration (also: upload one exported as JSON)',
        body: ConfigInput,
        response: { 201: ImportConfig, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await saveConfig(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/import-configs/:id',
    {
      schema: {
        tags: ['import configurations'],
        summary: 'A configuration, as JSON to download',
        params: IdParam,
        response: { 200: ImportConfig, ...errorResponses },
      },
    },
    (req) => getConfig(ctx, actorOf(req), req.params.id),
  );
  r.put(
    '/api/v1/import-configs/:id',
    {
      schema: {
        tags: ['import configurations'],
        summary: 'Change a configuration (a shared one: admins without a customer scope only)',
        params: IdParam,
        body: ConfigInput,
        response: { 200: ImportConfig, ...errorResponses },
      },
    },
    (req) => saveConfig(ctx, actorOf(req), req.body, req.params.id),
  );
  r.delete(
    '/api/v1/import-configs/:id',
    {
      schema: {
        tags: ['import configurations'],
        summary: 'Delete a configuration (a shared one: admins without a customer scope only)',
        params: IdParam,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      await deleteConfig(ctx, actorOf(req), req.params.id);
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/imports/:id/save-config',
    {
      schema: {
        tags: ['import configurations'],
        summary: "Save this import's mapping and options as a named configuration",
        params: IdParam,
        body: z.object({ name: z.string().min(1).max(100) }).strict(),
        response: { 201: ImportConfig, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await saveImportAsConfig(ctx, actorOf(req), req.params.id, req.body.name)),
  );
}
