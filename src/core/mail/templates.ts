/**
 * The emails Roster writes, each as a subject and a plain-text and an HTML part. Every value that
 * a person typed (names, the portal's name, an admin's message, a file name) is made safe for where
 * it goes: one line without control characters in the subject, escaped in HTML. The activation or
 * reset link is not in the stored email: its place holds LINK_PLACEHOLDER, and the worker puts a
 * fresh link there when it sends, so that no usable secret rests in the outbox.
 */
export type MailKind = 'invitation' | 'reminder' | 'password_reset' | 'import_finished';
export const MAIL_KINDS: readonly MailKind[] = [
  'invitation',
  'reminder',
  'password_reset',
  'import_finished',
];

/** Kinds whose email carries a link with a token of its own. */
export const LINKED_KINDS: ReadonlySet<MailKind> = new Set(['invitation', 'reminder', 'password_reset']);

export const LINK_PLACEHOLDER = '{{roster:link}}';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029]/g;

/** One line for a header: control characters (CR and LF above all) become spaces. */
export function headerSafe(value: string, max = 200): string {
  const line = value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Text for a body: line breaks kept, other control characters and the link placeholder removed. */
function bodySafe(value: string): string {
  return value.replaceAll(LINK_PLACEHOLDER, '').replace(/\r\n?/g, '\n').replace(CONTROL_BUT_NEWLINE, '');
}

const inline = (value: string) => headerSafe(value.replaceAll(LINK_PLACEHOLDER, ''), 300);

/** `2025-01-08 14:00 UTC`: a date every reader parses the same way. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function htmlDocument(
  title: string,
  paragraphs: string[],
  button?: { label: string },
  footer?: string,
): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${p}</p>`).join('\n');
  const action = button
    ? `<p style="margin:24px 0"><a href="${LINK_PLACEHOLDER}" style="background:#1f5fbf;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block">${escapeHtml(button.label)}</a></p>\n<p style="margin:0 0 16px;font-size:13px;color:#555555">If the button does not work, copy this address into your browser:<br>${LINK_PLACEHOLDER}</p>`
    : '';
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222">
${body}
${action}
${footer ? `<p style="margin:0 0 16px;font-size:13px;color:#555555">${escapeHtml(footer)}</p>` : ''}
</body></html>
`;
}

const htmlParagraph = (text: string) => escapeHtml(text).replace(/\n/g, '<br>');

export interface InvitationInput {
  kind: 'invitation' | 'reminder';
  portalName: string;
  firstName: string;
  /** When the link stops working (ISO). */
  expiresAt: string;
  /** The admin's own words, shown as written (escaped), or null. */
  message: string | null;
}

export function renderInvitation(input: InvitationInput): RenderedMail {
  const portal = inline(input.portalName) || 'the portal';
  const first = inline(input.firstName);
  const greeting = first ? `Hello ${first},` : 'Hello,';
  const message = input.message === null ? '' : bodySafe(input.message).trim();
  const expires = formatUtc(input.expiresAt);
  const reminder = input.kind === 'reminder';
  const subject = headerSafe(
    reminder ? `Reminder: activate your ${portal} account` : `You are invited to ${portal}`,
  );
  const intro = reminder
    ? `This is a reminder that an account on ${portal} is waiting for you. Set your password to activate it.`
    : `An account on ${portal} has been created for you. Set your password to activate it.`;
  const closing = `The link works once and until ${expires}. If it has expired, ask your administrator to send a new invitation. If you did not expect this email, you can ignore it.`;
  const text = [
    greeting,
    '',
    intro,
    ...(message ? ['', message] : []),
    '',
    `Activate your account: ${LINK_PLACEHOLDER}`,
    '',
    closing,
    '',
  ].join('\n');
  const html = htmlDocument(
    subject,
    [
      escapeHtml(greeting),
      escapeHtml(intro),
      ...(message ? [`<span style="white-space:normal">${htmlParagraph(message)}</span>`] : []),
    ],
    { label: 'Activate your account' },
    closing,
  );
  return { subject, text, html };
}

export interface PasswordResetInput {
  portalName: string;
  firstName: string;
  expiresAt: string;
}

export function renderPasswordReset(input: PasswordResetInput): RenderedMail {
  const portal = inline(input.portalName) || 'the portal';
  const first = inline(input.firstName);
  const greeting = first ? `Hello ${first},` : 'Hello,';
  const subject = headerSafe(`Reset your ${portal} password`);
  const intro = `Someone (we hope you) asked to reset the password of your ${portal} account.`;
  const closing = `The link works once and until ${formatUtc(input.expiresAt)}. If you did not ask for this, ignore this email: your password stays as it is.`;
  const text = [greeting, '', intro, '', `Choose a new password: ${LINK_PLACEHOLDER}`, '', closing, ''].join(
    '\n',
  );
  const html = htmlDocument(
    subject,
    [escapeHtml(greeting), escapeHtml(intro)],
    { label: 'Choose a new password' },
    closing,
  );
  return { subject, text, html };
}

export interface ImportFinishedInput {
  portalName: string;
  importId: number;
  fileName: string;
  status: string;
  counts: Record<string, number>;
  /** Emails the import queued (invitations), or 0. */
  invitations: number;
}

export function renderImportFinished(input: ImportFinishedInput): RenderedMail {
  const file = inline(input.fileName);
  const outcome =
    input.status === 'completed' ? 'finished' : input.status === 'cancelled' ? 'was cancelled' : 'failed';
  const subject = headerSafe(`Import ${input.importId} (${file}) ${outcome}`);
  const c = input.counts;
  const summary = `${c.created ?? 0} created, ${c.updated ?? 0} updated, ${c.unchanged ?? 0} unchanged, ${c.skipped ?? 0} skipped, ${c.failed ?? 0} failed.`;
  const invites =
    input.invitations > 0 ? `${input.invitations} invitation email(s) are queued and will be sent.` : '';
  const lines = [
    `The import of ${file} (import ${input.importId}) ${outcome}.`,
    summary,
    ...(invites ? [invites] : []),
    `Open it in Roster (${inline(input.portalName)}) to see the results and download the files.`,
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n`,
    html: htmlDocument(subject, lines.map(escapeHtml)),
  };
}

/** The email as sent: the link in its place (escaped for HTML). */
export function withLink(mail: RenderedMail, link: string | null): RenderedMail {
  if (link === null) return mail;
  return {
    subject: mail.subject,
    text: mail.text.replaceAll(LINK_PLACEHOLDER, () => link),
    html: mail.html.replaceAll(LINK_PLACEHOLDER, () => escapeHtml(link)),
  };
}
