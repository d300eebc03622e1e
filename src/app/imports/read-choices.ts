import { errors } from '../../core/errors.js';
import {
  CSV_DELIMITERS,
  type CsvDelimiter,
  TEXT_ENCODINGS,
  type TextEncodingName,
} from '../../core/import/read/types.js';

/** How to read an uploaded file, when the admin overrides what Roster detects. */
export interface ReadChoices {
  encoding?: TextEncodingName;
  delimiter?: CsvDelimiter;
  sheet?: string;
}

const ENCODING_ALIASES: Record<string, TextEncodingName> = {
  utf8: 'utf-8',
  'utf-16': 'utf-16le',
  cp1252: 'windows-1252',
  'x-mac-roman': 'macintosh',
  'mac-roman': 'macintosh',
  macroman: 'macintosh',
};

const DELIMITER_NAMES: Record<string, CsvDelimiter> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  '\\t': '\t',
  pipe: '|',
};

/**
 * Reads the `encoding`, `delimiter` and `sheet` choices (multipart fields of an upload, or the body
 * of PUT /imports/{id}/source); empty means "detect". A bad one is a field problem.
 */
export function parseReadChoices(raw: {
  encoding?: unknown;
  delimiter?: unknown;
  sheet?: unknown;
}): ReadChoices {
  const choices: ReadChoices = {};
  const problems: { field: string; code: string; message: string }[] = [];
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : undefined;
  const encoding = text(raw.encoding)?.trim().toLowerCase();
  if (encoding !== undefined) {
    const known = (TEXT_ENCODINGS as readonly string[]).includes(encoding)
      ? (encoding as TextEncodingName)
      : ENCODING_ALIASES[encoding];
    if (known) choices.encoding = known;
    else
      problems.push({
        field: 'encoding',
        code: 'schema.invalid_value',
        message: `The encoding "${encoding}" is not one Roster reads; choose one of ${TEXT_ENCODINGS.join(', ')}.`,
      });
  }
  const delimiter = text(raw.delimiter);
  if (delimiter !== undefined) {
    const known = (CSV_DELIMITERS as readonly string[]).includes(delimiter)
      ? (delimiter as CsvDelimiter)
      : DELIMITER_NAMES[delimiter.toLowerCase()];
    if (known) choices.delimiter = known;
    else
      problems.push({
        field: 'delimiter',
        code: 'schema.invalid_value',
        message: `The delimiter "${delimiter}" is not one Roster reads; choose , ; | or tab.`,
      });
  }
  const sheet = text(raw.sheet);
  if (sheet !== undefined) choices.sheet = sheet;
  if (problems.length > 0) throw errors.problems(problems);
  return choices;
}
