import type { Feature } from '../lib/feature';
import { AdminsPage } from './AdminsPage';
import { AttributesPage } from './AttributesPage';
import { AuditPage } from './AuditPage';
import { ContactsPage } from './ContactsPage';
import { CustomerPage } from './CustomerPage';
import { CustomersPage } from './CustomersPage';
import { GroupsPage } from './GroupsPage';
import { RolesPage } from './RolesPage';
import { SettingsPage } from './SettingsPage';
import { TokensPage } from './TokensPage';

/** Customers and sites, contacts, roles, groups, custom attributes, admins, API tokens, settings. */
export const manageFeature: Feature = {
  routes: [
    { path: '/customers', component: CustomersPage, permission: 'directory.read' },
    { path: '/customers/:id', component: CustomerPage, permission: 'directory.read' },
    { path: '/contacts', component: ContactsPage, permission: 'directory.read' },
    { path: '/roles', component: RolesPage, permission: 'directory.read' },
    { path: '/groups', component: GroupsPage, permission: 'directory.read' },
    { path: '/attributes', component: AttributesPage, permission: 'directory.read' },
    { path: '/admins', component: AdminsPage, permission: 'admins.manage' },
    { path: '/tokens', component: TokensPage, permission: 'admins.manage' },
    { path: '/settings', component: SettingsPage, permission: 'settings.read' },
    { path: '/audit', component: AuditPage, permission: 'audit.read' },
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
