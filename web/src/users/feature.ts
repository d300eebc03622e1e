import { type Feature, lazyPage } from '../lib/feature';
import { UsersPage } from './UsersPage';

export const usersFeature: Feature = {
  routes: [
    { path: '/users', component: UsersPage, permission: 'directory.read' },
    // Before /users/:id, which would take "new" for an id.
    {
      path: '/users/new',
      component: lazyPage(
        () => import('./UserCreatePage'),
        (m) => m.UserCreatePage,
      ),
      permission: 'users.manage',
    },
    {
      path: '/users/:id',
      component: lazyPage(
        () => import('./UserPage'),
        (m) => m.UserPage,
      ),
      permission: 'directory.read',
    },
  ],
  nav: [{ to: '/users', label: 'Users', section: 'Directory', order: 10, permission: 'directory.read' }],
};
