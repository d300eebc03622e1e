import type { OpenTabularFileOptions } from './types.js';

const MB = 1024 * 1024;

export const DEFAULT_READ_LIMITS = {
  maxBytes: 20 * MB,
  maxRows: 100_000,
  maxColumns: 500,
  maxCellChars: 1_000_000,
} as const;

/**
 * A row (a CSV record, or a workbook row with its cells as text) may hold several long cells, but
 * never more than this many cells' worth.
 */
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
/** Spreadsheet XML nests about 6 deep (worksheet › sheetData › row › c › is › r › t); deeper is an attack. */
const MAX_XML_DEPTH = 64;
/**
 * Elements in one XML part. A sheet at the row limit with 100 filled columns of inline strings holds
 * about 30 million; the inflate budget alone would allow over 100 million of the smallest.
 */
const MAX_XML_ELEMENTS = 40_000_000;
/** One XML part, inflated. Larger parts are refused before a byte is inflated. */
const MAX_XML_PART_BYTES = 256 * MB;
/** Sheets (XLSX) or tables (ODS) in a workbook: real ones hold a few, rarely a hundred. */
const MAX_SHEETS = 1_000;
/**
 * The shared strings are held in memory for the whole read. Each string counts its characters plus
 * this many for what holding it costs (object header, array slot), so that millions of tiny strings
 * are bounded as well as a few huge ones.
 */
const SHARED_STRING_OVERHEAD_CHARS = 16;
const MAX_SHARED_STRING_CHARS = 48_000_000;

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
  /** Deepest nesting of elements in an XML part: bounds the open elements the parser keeps. */
  maxXmlDepth: number;
  /** Most elements in one XML part: bounds the work one part can cause. */
  maxXmlElements: number;
  /** Largest XML part, inflated. */
  maxXmlPartBytes: number;
  /** Most sheets (XLSX) or tables (ODS) in a workbook. */
  maxSheets: number;
  /** Characters of the shared string table, each string counting `sharedStringOverheadChars` more. */
  maxSharedStringChars: number;
  sharedStringOverheadChars: number;
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
    maxXmlDepth: options.maxXmlDepth ?? MAX_XML_DEPTH,
    maxXmlElements: options.maxXmlElements ?? MAX_XML_ELEMENTS,
    maxXmlPartBytes: Math.min(MAX_XML_PART_BYTES, maxUncompressedBytes),
    maxSheets: options.maxSheets ?? MAX_SHEETS,
    maxSharedStringChars: options.maxSharedStringChars ?? MAX_SHARED_STRING_CHARS,
    sharedStringOverheadChars: SHARED_STRING_OVERHEAD_CHARS,
  };
}
