import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { listNotifications, markNotificationsRead } from '../../app/notifications.js';
import { MarkRead, Notifications } from '../import-schemas.js';
import { actorOf } from '../plugins/auth.js';
import { errorResponses } from '../schemas.js';

/** The bell: an admin's own notifications (an import finished, failed, was rolled back). */
export function notificationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Your notifications (the bell), newest first, with the unread count',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
        response: { 200: Notifications, ...errorResponses },
      },
    },
    (req) => listNotifications(ctx, actorOf(req), req.query.limit),
  );
  r.post(
    '/api/v1/notifications/read',
    {
      schema: {
        tags: ['notifications'],
        body: MarkRead,
        response: { 200: Notifications, ...errorResponses },
      },
    },
    (req) => markNotificationsRead(ctx, actorOf(req), req.body.ids),
  );
}
