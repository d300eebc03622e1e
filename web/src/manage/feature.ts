import { type Feature, lazyPage } from '../lib/feature';

/** Customers and sites, contacts, roles, groups, custom attributes, admins, API tokens, settings. */
export const manageFeature: Feature = {
  routes: [
    {
      path: '/customers',
      component: lazyPage(
        () => import('./CustomersPage'),
        (m) => m.CustomersPage,
      ),
      permission: 'directory.read',
    },
    {
      path: '/customers/:id',
      component: lazyPage(
        () => import('./CustomerPage'),
        (m) => m.CustomerPage,
      ),
      permission: 'directory.read',
    },
    {
      path: '/contacts',
      component: lazyPage(
        () => import('./ContactsPage'),
        (m) => m.ContactsPage,
      ),
      permission: 'directory.read',
    },
    {
      path: '/roles',
      component: lazyPage(
        () => import('./RolesPage'),
        (m) => m.RolesPage,
      ),
      permission: 'directory.read',
    },
    {
      path: '/groups',
      component: lazyPage(
        () => import('./GroupsPage'),
        (m) => m.GroupsPage,
      ),
      permission: 'directory.read',
    },
    {
      path: '/attributes',
      component: lazyPage(
        () => import('./AttributesPage'),
        (m) => m.AttributesPage,
      ),
      permission: 'directory.read',
    },
    {
      path: '/admins',
      component: lazyPage(
        () => import('./AdminsPage'),
        (m) => m.AdminsPage,
      ),
      permission: 'admins.manage',
    },
    {
      path: '/tokens',
      component: lazyPage(
        () => import('./TokensPage'),
        (m) => m.TokensPage,
      ),
      permission: 'admins.manage',
    },
    {
      path: '/settings',
      component: lazyPage(
        () => import('./SettingsPage'),
        (m) => m.SettingsPage,
      ),
      permission: 'settings.read',
    },
    {
      path: '/audit',
      component: lazyPage(
        () => import('./AuditPage'),
        (m) => m.AuditPage,
      ),
      permission: 'audit.read',
    },
  ],
  nav: [
    { to: '/customers', label: 'Customers', section: 'Directory', order: 20, permission: 'directory.read' },
    { to: '/contacts', label: 'Contacts', section: 'Directory', order: 30, permission: 'directory.read' },
    {
      to: '/roles',
      label: 'Portal roles',
      section: 'Administration',
      order: 10,
      permission: 'directory.read',
    },
    { to: '/groups', label: 'Groups', section: 'Administration', order: 20, permission: 'directory.read' },
    {
      to: '/attributes',
      label: 'Custom attributes',
      section: 'Administration',
      order: 30,
      permission: 'directory.read',
    },
    { to: '/admins', label: 'Admins', section: 'Administration', order: 40, permission: 'admins.manage' },
    { to: '/tokens', label: 'API tokens', section: 'Administration', order: 50, permission: 'admins.manage' },
    { to: '/settings', label: 'Settings', section: 'Administration', order: 60, permission: 'settings.read' },
    { to: '/audit', label: 'Audit log', section: 'Administration', order: 70, permission: 'audit.read' },
  ],
};
