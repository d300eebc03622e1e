import type { z } from 'zod';
import type { Notification, Notifications } from '../../../src/http/import-schemas.js';

export type NotificationItem = z.infer<typeof Notification>;
export type NotificationList = z.infer<typeof Notifications>;
