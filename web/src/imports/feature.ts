import { type Feature, lazyPage } from '../lib/feature';

/** The import wizard, the import history and an import's page. */
export const importsFeature: Feature = {
  routes: [
    {
      path: '/imports',
      component: lazyPage(
        () => import('./ImportsPage'),
        (m) => m.ImportsPage,
      ),
      permission: 'imports.read',
    },
    // Before `/imports/:id`: wouter's Switch takes the first match.
    {
      path: '/imports/new',
      component: lazyPage(
        () => import('./NewImportPage'),
        (m) => m.NewImportPage,
      ),
      permission: 'imports.run',
    },
    {
      path: '/imports/:id',
      component: lazyPage(
        () => import('./ImportPage'),
        (m) => m.ImportPage,
      ),
      permission: 'imports.read',
    },
  ],
  nav: [
    { to: '/imports', label: 'Import history', section: 'Imports', order: 10, permission: 'imports.read' },
    { to: '/imports/new', label: 'New import', section: 'Imports', order: 20, permission: 'imports.run' },
  ],
};
