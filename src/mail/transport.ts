import nodemailer from 'nodemailer';
import type { SendOutcome } from '../core/mail/sending.js';
import { headerSafe } from '../core/mail/templates.js';

/**
 * How email leaves Roster: over SMTP with nodemailer (SMTP_URL), or, on the embedded default, into
 * the local mailbox in the database. Both build the message the same way (nodemailer's composer),
 * so headers are encoded alike and a name can never break out of its header.
 */
export interface OutgoingMail {
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface SmtpSender {
  /** Resolves when the server accepted the message; throws what nodemailer threw otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

function message(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: [{ name: headerSafe(mail.to.name), address: headerSafe(mail.to.address, 320) }],
    subject: headerSafe(mail.subject, 300),
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** An SMTP sender for the relay at `url` (smtp:// or smtps://, credentials in the URL). */
export function smtpSender(url: string): SmtpSender {
  const transport = nodemailer.createTransport({
    url,
    // One connection, kept open between messages (the worker sends one at a time anyway).
    pool: true,
    maxConnections: 1,
    maxMessages: 500,
    // Short waits: a dead relay is a temporary failure to retry later, not a stuck worker.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  return {
    async send(mail) {
      await transport.sendMail(message(mail));
    },
    close() {
      transport.close();
    },
  };
}

/** The message as a mail server would store it (RFC 5322), for the local mailbox. */
export async function composeRaw(mail: OutgoingMail): Promise<string> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await composer.sendMail(message(mail));
  return (info.message as Buffer).toString('utf8');
}

interface MailError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/**
 * A failed try, sorted: a 5xx answer is permanent (the address or the message is refused, trying
 * again changes nothing); a 4xx answer, a connection that failed or timed out, and the relay
 * refusing our credentials (a configuration fault, not the recipient's) are temporary.
 */
export function classifySendError(e: unknown): Exclude<SendOutcome, { kind: 'sent' }> {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as MailError;
  const code = typeof err.code === 'string' ? err.code : '';
  const status = typeof err.responseCode === 'number' ? err.responseCode : null;
  const text =
    typeof err.response === 'string' && err.response !== ''
      ? err.response
      : typeof err.message === 'string'
        ? err.message
        : 'unknown error';
  const reason = headerSafe(`${code ? `${code}: ` : ''}${text}`, 500);
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'ETLS') return { kind: 'temporary', reason };
  if (status !== null && status >= 500 && status < 600) return { kind: 'permanent', reason };
  if (status !== null && status >= 400 && status < 500) return { kind: 'temporary', reason };
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { kind: 'permanent', reason };
  return { kind: 'temporary', reason };
}
