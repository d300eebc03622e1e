import { type Feature, lazyPage } from '../lib/feature';

/** The local mailbox (global administrators, like the API's) and the outbox. */
export const mailFeature: Feature = {
  routes: [
    {
      path: '/mail/mailbox',
      component: lazyPage(
        () => import('./MailboxPage'),
        (m) => m.MailboxPage,
      ),
      permission: 'config.manage',
    },
    {
      path: '/mail/outbox',
      component: lazyPage(
        () => import('./OutboxPage'),
        (m) => m.OutboxPage,
      ),
      permission: 'directory.read',
    },
  ],
  nav: [
    { to: '/mail/mailbox', label: 'Mailbox', section: 'Mail', order: 10, permission: 'config.manage' },
    { to: '/mail/outbox', label: 'Outbox', section: 'Mail', order: 20, permission: 'directory.read' },
  ],
};
