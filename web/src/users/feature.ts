import type { Feature } from '../lib/feature';
import { UserCreatePage } from './UserCreatePage';
import { UserPage } from './UserPage';
import { UsersPage } from './UsersPage';

export const usersFeature: Feature = {
  routes: [
    { path: '/users', component: UsersPage, permission: 'directory.read' },
    // Before /users/:id, which would take "new" for an id.
    { path: '/users/new', component: UserCreatePage, permission: 'users.manage' },
    { path: '/users/:id', component: UserPage, permission: 'directory.read' },
  ],
  nav: [{ to: '/users', label: 'Users', section: 'Directory', order: 10, permission: 'directory.read' }],
};
