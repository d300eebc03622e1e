/** The file-reading layer of the import: bytes in, header and streamed rows of strings out. */
export { DEFAULT_READ_LIMITS } from './limits.js';
export { openTabularFile } from './open-tabular-file.js';
export type {
  CsvDelimiter,
  OpenTabularFileOptions,
  ReadProblem,
  SheetChoice,
  TabularFormat,
  TabularRow,
  TabularSource,
  TextEncodingName,
} from './types.js';
