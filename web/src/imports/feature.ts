import type { Feature } from '../lib/feature';
import { ImportPage } from './ImportPage';
import { ImportsPage } from './ImportsPage';
import { NewImportPage } from './NewImportPage';

/** The import wizard, the import history and an import's page. */
export const importsFeature: Feature = {
  routes: [
    { path: '/imports', component: ImportsPage, permission: 'imports.read' },
    // Before `/imports/:id`: wouter's Switch takes the first match.
    { path: '/imports/new', component: NewImportPage, permission: 'imports.run' },
    { path: '/imports/:id', component: ImportPage, permission: 'imports.read' },
  ],
  nav: [
    { to: '/imports', label: 'Import history', section: 'Imports', order: 10, permission: 'imports.read' },
    { to: '/imports/new', label: 'New import', section: 'Imports', order: 20, permission: 'imports.run' },
  ],
};
