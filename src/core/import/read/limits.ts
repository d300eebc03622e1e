import type { OpenTabularFileOptions } from './types.js';

const MB = 1024 * 1024;

export const DEFAULT_READ_LIMITS = {
  maxBytes: 20 * MB,
  maxRows: 100_000,
  maxColumns: 500,
  maxCellChars: 1_000_000,
} as const;

/** A CSV record (one logical line) may hold several long cells, but never more than this many cells' worth. */
const RECORD_TO_CELL_RATIO = 4;

/**
 * Zip bomb guards. Real spreadsheets inflate 5–30×; 100× leaves room for very repetitive sheets.
 * The floor keeps small files with large repetitive sheets readable; the ceiling bounds CPU and memory.
 */
const INFLATE_RATIO_LIMIT = 100;
const INFLATE_FLOOR = 64 * MB;
const INFLATE_CEILING = 512 * MB;
/** Shared strings are held in memory for the whole read: they get a tighter budget of their own. */
const SHARED_STRINGS_CEILING = 256 * MB;
/** An entry that claims more than this ratio is refused unread; deflate cannot exceed ~1032:1. */
const ENTRY_RATIO_LIMIT = 500;
const ENTRY_RATIO_MIN_BYTES = 8 * MB;
/** Real workbooks hold tens of entries; a central directory with more is refused before it is walked. */
const MAX_ZIP_ENTRIES = 10_000;

export interface ReadLimits {
  maxBytes: number;
  maxRows: number;
  maxColumns: number;
  maxCellChars: number;
  maxRecordChars: number;
}

export interface ZipLimits {
  maxUncompressedBytes: number;
  maxSharedStringsBytes: number;
  maxEntryRatio: number;
  entryRatioMinBytes: number;
  maxEntries: number;
  /** Longest run of XML without a tag boundary: bounds the text a SAX parser buffers. */
  maxXmlRunBytes: number;
}

export function resolveReadLimits(options: OpenTabularFileOptions): ReadLimits {
  const maxCellChars = options.maxCellChars ?? DEFAULT_READ_LIMITS.maxCellChars;
  return {
    maxBytes: options.maxBytes ?? DEFAULT_READ_LIMITS.maxBytes,
    maxRows: options.maxRows ?? DEFAULT_READ_LIMITS.maxRows,
    maxColumns: options.maxColumns ?? DEFAULT_READ_LIMITS.maxColumns,
    maxCellChars,
    maxRecordChars: maxCellChars * RECORD_TO_CELL_RATIO,
  };
}

export function resolveZipLimits(
  options: OpenTabularFileOptions,
  fileBytes: number,
  limits: ReadLimits,
): ZipLimits {
  const maxUncompressedBytes =
    options.maxUncompressedBytes ??
    Math.min(INFLATE_CEILING, Math.max(INFLATE_FLOOR, fileBytes * INFLATE_RATIO_LIMIT));
  return {
    maxUncompressedBytes,
    maxSharedStringsBytes: Math.min(SHARED_STRINGS_CEILING, maxUncompressedBytes),
    maxEntryRatio: ENTRY_RATIO_LIMIT,
    entryRatioMinBytes: ENTRY_RATIO_MIN_BYTES,
    maxEntries: MAX_ZIP_ENTRIES,
    // A cell's text is at most maxCellChars characters of up to 4 UTF-8 bytes, escaped as entities at worst ×6.
    maxXmlRunBytes: limits.maxCellChars * 4 + 64 * 1024,
  };
}
