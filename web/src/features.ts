import { importsFeature } from './imports/feature';
import type { Feature, NavLink, PageRoute } from './lib/feature';
import { mailFeature } from './mail/feature';
import { manageFeature } from './manage/feature';
import { recordsFeature } from './records/feature';
import { usersFeature } from './users/feature';

const features: Feature[] = [usersFeature, recordsFeature, importsFeature, manageFeature, mailFeature];

export const consoleRoutes: PageRoute[] = features.flatMap((f) => f.routes);

const SECTIONS: NavLink['section'][] = ['Directory', 'Imports', 'Mail', 'Administration'];
export const navLinks: NavLink[] = features
  .flatMap((f) => f.nav)
  .sort((a, b) => SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section) || a.order - b.order);
