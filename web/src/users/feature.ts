import type { Feature } from '../lib/feature';
import { UsersPage } from './UsersPage';

export const usersFeature: Feature = {
  routes: [{ path: '/users', component: UsersPage, permission: 'directory.read' }],
  nav: [{ to: '/users', label: 'Users', section: 'Directory', order: 10, permission: 'directory.read' }],
};
