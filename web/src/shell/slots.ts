import type { ComponentType } from 'react';

/** Widgets shown in the header before the colour-scheme switch (e.g. the notification bell). */
export const headerSlots: ComponentType[] = [];
