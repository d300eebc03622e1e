import { get, request } from '../lib/api';
import type { NotificationList } from './types';

export const listNotifications = () => get<NotificationList>('/api/v1/notifications', { limit: 30 });

export const markRead = (ids: number[] | 'all') =>
  request<NotificationList>('POST', '/api/v1/notifications/read', { ids });
