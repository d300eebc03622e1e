import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { makeTempDir } from '../app/temp-files.js';
import { AppError, appError, errors } from '../core/errors.js';
import { sizeText } from '../core/import/read/read-errors.js';

export interface Upload {
  filePath: string;
  fileName: string;
  fields: Record<string, string>;
  /** Removes the temporary file. */
  cleanup(): void;
}

const tooLargeMessage = (maxBytes: number): string =>
  `The file is larger than the limit of ${sizeText(maxBytes)}. Split it (the CLI can) or ask an administrator to raise the limit.`;

/**
 * Streams a multipart upload to a temporary file, refusing it as soon as it passes `maxBytes`.
 * Text fields (target, options…) come along; exactly one file part is expected.
 */
export async function receiveUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw appError('request.multipart_required');
  }
  const dir = makeTempDir('upload');
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  const fields: Record<string, string> = {};
  let filePath: string | null = null;
  let fileName = '';
  try {
    for await (const part of request.parts({
      limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 1_000_000 },
    })) {
      if (part.type === 'file') {
        fileName = path.basename(part.filename || 'upload');
        filePath = path.join(dir, 'upload');
        await pipeline(part.file, fs.createWriteStream(filePath));
        if (part.file.truncated) {
          throw new AppError('import.file_too_large', 413, tooLargeMessage(maxBytes), {
            limitBytes: maxBytes,
          });
        }
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (e) {
    cleanup();
    if (e instanceof AppError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') {
      throw errors.field('request.invalid', 'file', 'Send one file per import.', {
        problem: 'file.too_many',
      });
    }
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError('import.file_too_large', 413, tooLargeMessage(maxBytes), {
        limitBytes: maxBytes,
      });
    }
    throw e;
  }
  if (filePath === null) {
    cleanup();
    throw errors.field(
      'request.invalid',
      'file',
      'No file came with the request: send it in a multipart field named "file".',
      { problem: 'file.required' },
    );
  }
  return { filePath, fileName, fields, cleanup };
}
