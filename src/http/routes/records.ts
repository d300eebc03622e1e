import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app/context.js';
import * as records from '../../app/records.js';
import { actorOf } from '../plugins/auth.js';
import { RecordListQuery, RecordUpdate, RecordView } from '../record-schemas.js';
import { errorResponses, IdParam, Ok, page } from '../schemas.js';

/** Records of portal users (customers, appointments, tasks, visit reports), within the admin's scope. */
export function recordRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/records',
    {
      schema: {
        tags: ['records'],
        summary: 'Records, filtered by type, owner and customer, searched, in id order (keyset paging)',
        querystring: RecordListQuery,
        response: { 200: page(RecordView), ...errorResponses },
      },
    },
    (req) => {
      const { q, ...rest } = req.query;
      return records.listRecords(ctx, actorOf(req), { ...rest, ...(q !== undefined && { search: q }) });
    },
  );
  r.get(
    '/api/v1/records/:id',
    { schema: { tags: ['records'], params: IdParam, response: { 200: RecordView, ...errorResponses } } },
    (req) => records.getRecord(ctx, actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/records/:id',
    {
      schema: {
        tags: ['records'],
        summary: "Change a record's key, fields, customer reference or attributes (a new version)",
        params: IdParam,
        body: RecordUpdate,
        response: { 200: RecordView, ...errorResponses },
      },
    },
    (req) => records.updateRecord(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/records/:id',
    { schema: { tags: ['records'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await records.deleteRecord(ctx, actorOf(req), req.params.id);
      return { ok: true as const };
    },
  );
}
