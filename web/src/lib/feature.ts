import type { ComponentType } from 'react';
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
