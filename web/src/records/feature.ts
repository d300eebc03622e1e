import { type Feature, lazyPage } from '../lib/feature';

/** Records of portal users: the list of every type, and one record's page. */
export const recordsFeature: Feature = {
  routes: [
    {
      path: '/records',
      component: lazyPage(
        () => import('./RecordsPage'),
        (m) => m.RecordsPage,
      ),
      permission: 'directory.read',
    },
    {
      path: '/records/:id',
      component: lazyPage(
        () => import('./RecordPage'),
        (m) => m.RecordPage,
      ),
      permission: 'directory.read',
    },
  ],
  nav: [{ to: '/records', label: 'Records', section: 'Directory', order: 15, permission: 'directory.read' }],
};
