import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app/context.js';
import { getBulkAction, startBulkAction } from '../../app/users/bulk-users.js';
import { createUser } from '../../app/users/create-user.js';
import { deleteUser } from '../../app/users/delete-user.js';
import { exportUsers } from '../../app/users/export-users.js';
import { getUser } from '../../app/users/get-user.js';
import { listUserHistory } from '../../app/users/list-user-history.js';
import { listUsers } from '../../app/users/list-users.js';
import { updateUser } from '../../app/users/update-user.js';
import { sendAttachment } from '../content-disposition.js';
import { actorOf } from '../plugins/auth.js';
import {
  AuditPage,
  errorResponses,
  IdParam,
  Ok,
  PortalUser,
  UserBulkAction,
  UserBulkRequest,
  UserCreate,
  UserExportQuery,
  UserHistoryQuery,
  UserListQuery,
  UserPage,
  UserUpdate,
} from '../schemas.js';

export function userRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List portal users: search, filters, sorting and paging',
        querystring: UserListQuery,
        response: { 200: UserPage, ...errorResponses },
      },
    },
    (req) => {
      const { q, ...rest } = req.query;
      return listUsers(ctx, actorOf(req), { ...rest, ...(q !== undefined && { search: q }) });
    },
  );
  r.get(
    '/api/v1/users/export',
    {
      schema: {
        tags: ['users'],
        summary:
          'The users a list shows (same filters and search) as a users template, CSV or XLSX: edit it and upload it back',
        querystring: UserExportQuery,
      },
    },
    async (req, reply) => {
      const { q, format, ...rest } = req.query;
      const selection = { ...rest, ...(q !== undefined && { search: q }) };
      return sendAttachment(reply, await exportUsers(ctx, actorOf(req), selection, format));
    },
  );
  r.post(
    '/api/v1/users/bulk',
    {
      schema: {
        tags: ['users'],
        summary:
          'Disable, enable, resend invitations to, add to or remove from a group, or delete many users, as a job',
        body: UserBulkRequest,
        response: { 202: UserBulkAction, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { selection, ...rest } = req.body;
      // The filter is spelled as GET /api/v1/users takes it: `q` is the list's search.
      const chosen =
        'ids' in selection
          ? selection
          : (({ q, ...filter }) => ({ filter: { ...filter, ...(q !== undefined && { search: q }) } }))(
              selection.filter,
            );
      return reply.status(202).send(await startBulkAction(ctx, actorOf(req), { ...rest, selection: chosen }));
    },
  );
  r.get(
    '/api/v1/users/bulk/:id',
    {
      schema: {
        tags: ['users'],
        summary: "A bulk action's status, progress, counts and failures",
        params: IdParam,
        response: { 200: UserBulkAction, ...errorResponses },
      },
    },
    (req) => getBulkAction(ctx, actorOf(req), req.params.id),
  );
  r.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a portal user',
        body: UserCreate,
        response: { 201: PortalUser, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await createUser(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], params: IdParam, response: { 200: PortalUser, ...errorResponses } } },
    (req) => getUser(ctx, actorOf(req), req.params.id),
  );
  r.get(
    '/api/v1/users/:id/history',
    {
      schema: {
        tags: ['users'],
        summary:
          "A user's history, newest first: audit entries about the user and the imports that touched them",
        params: IdParam,
        querystring: UserHistoryQuery,
        response: { 200: AuditPage, ...errorResponses },
      },
    },
    (req) => listUserHistory(ctx, actorOf(req), req.params.id, req.query),
  );
  r.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a portal user (only the fields sent); status "disabled" disables',
        params: IdParam,
        body: UserUpdate,
        response: { 200: PortalUser, ...errorResponses },
      },
    },
    (req) => updateUser(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await deleteUser(ctx, actorOf(req), req.params.id);
      return { ok: true as const };
    },
  );
}
