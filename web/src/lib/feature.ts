import { type ComponentType, lazy } from 'react';
import type { Permission } from '../auth/types';

/** A page of the console at a wouter path pattern (e.g. `/imports/:id`). */
export interface PageRoute {
  path: string;
  component: ComponentType;
  /** Needed to open the page; without it the console shows "not allowed". */
  permission?: Permission;
}

/** A link in the side navigation. */
export interface NavLink {
  to: string;
  label: string;
  /** Sections group the links: Directory, Imports, Mail, Administration. */
  section: 'Directory' | 'Imports' | 'Mail' | 'Administration';
  /** Lower comes first within a section. */
  order: number;
  permission?: Permission;
}

/** What a feature folder adds to the console: its pages and its links. */
export interface Feature {
  routes: PageRoute[];
  nav: NavLink[];
}

/**
 * A page whose code loads on its first visit: a chunk of its own, so that the first load carries
 * only the frame and the users list. `App.tsx` shows a loader meanwhile.
 */
export function lazyPage<M>(load: () => Promise<M>, pick: (module: M) => ComponentType): ComponentType {
  return lazy(() => load().then((module) => ({ default: pick(module) })));
}
