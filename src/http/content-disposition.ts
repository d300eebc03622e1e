import type { FastifyReply } from 'fastify';
import type { FileToSend } from '../app/imports/result-files.js';

/**
 * `Content-Disposition: attachment` for any file name: a plain ASCII `filename` for old clients
 * (characters outside printable ASCII, quotes and backslashes become `_`) and the exact name in
 * UTF-8 as `filename*` (RFC 6266 / RFC 5987), which browsers prefer. A header value may hold only
 * Latin-1, so a name like `ユーザー一覧.csv` written into it as is would fail the whole answer.
 */
export function attachmentDisposition(fileName: string): string {
  const name = fileName.replace(/[\r\n]/g, '') || 'download';
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Sends a file made for a download (a template, a result file, an export) as an attachment. */
export function sendAttachment(reply: FastifyReply, file: FileToSend) {
  reply.header('content-type', file.contentType);
  reply.header('content-disposition', attachmentDisposition(file.fileName));
  return reply.send(file.body);
}
