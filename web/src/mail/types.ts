import type { z } from 'zod';
import type {
  Email,
  EmailPage,
  MailboxMessage,
  MailboxPage,
  MailStatus,
} from '../../../src/http/mail-schemas.js';

export type EmailInfo = z.infer<typeof Email>;
export type EmailStatus = EmailInfo['status'];
export type EmailList = z.infer<typeof EmailPage>;
export type MailboxItem = z.infer<typeof MailboxMessage>;
export type MailboxList = z.infer<typeof MailboxPage>;
export type SendingStatus = z.infer<typeof MailStatus>;
