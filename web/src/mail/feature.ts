import type { Feature } from '../lib/feature';
import { MailboxPage } from './MailboxPage';
import { OutboxPage } from './OutboxPage';

/** The local mailbox (global administrators, like the API's) and the outbox. */
export const mailFeature: Feature = {
  routes: [
    { path: '/mail/mailbox', component: MailboxPage, permission: 'config.manage' },
    { path: '/mail/outbox', component: OutboxPage, permission: 'directory.read' },
  ],
  nav: [
    { to: '/mail/mailbox', label: 'Mailbox', section: 'Mail', order: 10, permission: 'config.manage' },
    { to: '/mail/outbox', label: 'Outbox', section: 'Mail', order: 20, permission: 'directory.read' },
  ],
};
