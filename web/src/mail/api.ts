import { get, request } from '../lib/api';
import type { EmailList, EmailStatus, MailboxList, SendingStatus } from './types';

export const listMailbox = (query: { to?: string; cursor?: number }) =>
  get<MailboxList>('/api/v1/mailbox', { ...query, limit: 50 });

export const listOutbox = (query: {
  status?: EmailStatus[];
  kind?: string[];
  recipient?: string;
  customerId?: number;
  importId?: number;
  cursor?: number;
}) => get<EmailList>('/api/v1/emails', { ...query, limit: 50 });

export const sendingStatus = () => get<SendingStatus>('/api/v1/mail');
export const pauseSending = () => request<SendingStatus>('POST', '/api/v1/mail/pause');
export const resumeSending = () => request<SendingStatus>('POST', '/api/v1/mail/resume');
export const resendInvitation = (userId: number) =>
  request('POST', `/api/v1/users/${userId}/invitations`, {});
