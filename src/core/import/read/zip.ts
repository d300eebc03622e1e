/**
 * Guarded access to the zip container of XLSX and ODS files.
 *
 * yauzl reads the central directory (random access, no temp files, no sequential local-header
 * scanning that a crafted archive can desynchronise), exposes each entry's declared sizes before a
 * byte is inflated, and is small, dependency-free and maintained by the author of yazl.
 *
 * Zip bomb defence, in two steps: an entry is refused unread when its declared size does not fit in
 * what is left of the budget or its declared ratio is absurd; while it inflates, its bytes are
 * counted, and it is refused the moment it yields more than it declared. Together these bound what
 * any archive can make us inflate by the budget, whatever its headers claim. Every read of an entry
 * is charged, not only the first: a workbook whose hundreds of sheets all point at one large part
 * pays for each time that part is inflated.
 */

import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { isAppError } from '../../errors.js';
import type { ZipLimits } from './limits.js';
import { readErrors } from './read-errors.js';

const MB = 1024 * 1024;

const normaliseEntryName = (name: string): string =>
  name.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();

export class GuardedZip {
  private readonly entries = new Map<string, yauzl.Entry>();
  private budgetLeft: number;
  private closed = false;

  private constructor(
    private readonly zipfile: yauzl.ZipFile,
    private readonly limits: ZipLimits,
    /** How errors name the format being read, e.g. "an Excel workbook (.xlsx)". */
    public expected: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.budgetLeft = limits.maxUncompressedBytes;
  }

  static async open(
    filePath: string,
    limits: ZipLimits,
    expected: string,
    signal: AbortSignal | undefined,
  ): Promise<GuardedZip> {
    const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.open(
        filePath,
        {
          lazyEntries: true,
          autoClose: false,
          validateEntrySizes: false,
          decodeStrings: true,
          strictFileNames: false,
        },
        (error, opened) => (error ? reject(error) : resolve(opened)),
      );
    }).catch((error: unknown) => {
      throw readErrors.fileUnreadable(expected, 'it looks like a zip archive but is damaged or incomplete', {
        cause: error instanceof Error ? error.message : String(error),
      });
    });
    const zip = new GuardedZip(zipfile, limits, expected, signal);
    try {
      await zip.indexEntries();
    } catch (error) {
      zip.close();
      throw error;
    }
    return zip;
  }

  private async indexEntries(): Promise<void> {
    if (this.zipfile.entryCount > this.limits.maxEntries) {
      throw readErrors.fileRejected(`its zip archive holds ${this.zipfile.entryCount} entries`, {
        limit: this.limits.maxEntries,
        actual: this.zipfile.entryCount,
      });
    }
    await new Promise<void>((resolve, reject) => {
      const onEntry = (entry: yauzl.Entry): void => {
        this.entries.set(normaliseEntryName(entry.fileName), entry);
        this.zipfile.readEntry();
      };
      const finish = (error?: unknown): void => {
        this.zipfile.off('entry', onEntry);
        this.zipfile.off('end', finish);
        this.zipfile.off('error', finish);
        if (error === undefined) resolve();
        else
          reject(
            readErrors.fileUnreadable(this.expected, 'its zip directory is damaged', {
              cause: error instanceof Error ? error.message : String(error),
            }),
          );
      };
      this.zipfile.on('entry', onEntry);
      this.zipfile.once('end', () => finish());
      this.zipfile.once('error', finish);
      this.zipfile.readEntry();
    });
  }

  has(name: string): boolean {
    return this.entries.has(normaliseEntryName(name));
  }

  /** The entry's bytes, inflated chunk by chunk under the budget. */
  async *read(name: string, options: { maxBytes?: number } = {}): AsyncGenerator<Buffer> {
    const key = normaliseEntryName(name);
    const entry = this.entries.get(key);
    if (!entry) throw readErrors.fileUnreadable(this.expected, `the part ${name} is missing`);
    this.admit(name, entry, options.maxBytes ?? this.limits.maxXmlPartBytes);
    const stream = await new Promise<Readable>((resolve, reject) => {
      this.zipfile.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened)));
    }).catch((error: unknown) => {
      throw this.damaged(name, error);
    });
    let inflated = 0;
    try {
      for await (const chunk of stream) {
        this.signal?.throwIfAborted();
        // Entry streams carry Buffers; a Readable's async iterator is typed `any`.
        const bytes = chunk as Buffer;
        inflated += bytes.length;
        if (inflated > entry.uncompressedSize) {
          throw readErrors.fileRejected(
            `the part ${name} inflates to more data than its zip header declares`,
            {
              entry: name,
              declaredBytes: entry.uncompressedSize,
            },
          );
        }
        yield bytes;
      }
    } catch (error) {
      if (isAppError(error) || this.signal?.aborted) throw error;
      throw this.damaged(name, error);
    } finally {
      stream.destroy();
    }
  }

  /** Small parts (mimetype, relationships) read whole. */
  async readText(name: string, maxBytes: number): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.read(name, { maxBytes })) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Checks the declared size before a byte is inflated, and charges it to the budget, at every read. */
  private admit(name: string, entry: yauzl.Entry, maxBytes: number): void {
    if (entry.isEncrypted()) {
      throw readErrors.fileUnreadable(this.expected, 'it is encrypted (password-protected)');
    }
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw readErrors.fileUnreadable(
        this.expected,
        `it uses an unsupported zip compression method (${entry.compressionMethod})`,
      );
    }
    const declared = entry.uncompressedSize;
    const ratio = declared / Math.max(1, entry.compressedSize);
    if (declared >= this.limits.entryRatioMinBytes && ratio > this.limits.maxEntryRatio) {
      throw readErrors.fileRejected(
        `the part ${name} claims a compression ratio of ${Math.round(ratio)}:1 (a zip bomb)`,
        {
          entry: name,
          declaredBytes: declared,
          compressedBytes: entry.compressedSize,
          limitRatio: this.limits.maxEntryRatio,
        },
      );
    }
    if (declared > maxBytes) {
      throw readErrors.fileRejected(
        `the part ${name} would inflate to ${Math.ceil(declared / MB)} MB, more than the ${Math.floor(maxBytes / MB)} MB allowed for it`,
        { entry: name, declaredBytes: declared, limit: maxBytes },
      );
    }
    if (declared > this.budgetLeft) {
      throw readErrors.fileRejected(
        `it would inflate to more than ${Math.floor(this.limits.maxUncompressedBytes / MB)} MB (a zip bomb, or far more data than an import holds)`,
        { entry: name, declaredBytes: declared, limit: this.limits.maxUncompressedBytes },
      );
    }
    this.budgetLeft -= declared;
  }

  private damaged(name: string, error: unknown) {
    return readErrors.fileUnreadable(this.expected, `the part ${name} is damaged`, {
      cause: error instanceof Error ? error.message : String(error),
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.zipfile.close();
  }
}
