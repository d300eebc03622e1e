import type { ComponentType } from 'react';
import { NotificationBell } from '../notifications/NotificationBell';

/** Widgets shown in the header before the colour-scheme switch (e.g. the notification bell). */
export const headerSlots: ComponentType[] = [NotificationBell];
