/**
 * Streaming XML for the parts of XLSX and ODS files, on saxes: a maintained, dependency-free,
 * spec-conformant SAX parser (the one ExcelJS uses) that never expands entities declared in a DTD.
 * We go further and refuse any DOCTYPE at all: no spreadsheet writer emits one, and an entity
 * declaration in a workbook is an attack (billion laughs), not data.
 *
 * Parsing is pull-based: the caller's async generator asks for more, one inflated chunk at a time,
 * so memory holds one chunk of XML and the items it produced.
 */
import { TextDecoder } from 'node:util';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { isAppError } from '../../errors.js';
import { readErrors } from './read-errors.js';

export type XmlTag = SaxesTagPlain;

export interface XmlHandlers {
  open(tag: XmlTag): void;
  close(tag: XmlTag): void;
  text(text: string): void;
}

export const localName = (qualifiedName: string): string => {
  const colon = qualifiedName.indexOf(':');
  return colon < 0 ? qualifiedName : qualifiedName.slice(colon + 1);
};

const LESS_THAN = 0x3c;
const MARKUP_DECLARATION = Buffer.from('<!');
const DOCTYPE = Buffer.from('<!DOCTYPE');
const ENTITY = Buffer.from('<!ENTITY');
const MARKER_OVERLAP = DOCTYPE.length - 1;

const startsAt = (bytes: Buffer, at: number, marker: Buffer): boolean =>
  at + marker.length <= bytes.length && marker.compare(bytes, at, at + marker.length) === 0;

/** Whether the bytes hold a DTD or entity declaration. `<!` is rare in spreadsheet XML: one scan. */
function declaresDtd(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(MARKUP_DECLARATION); at >= 0; at = bytes.indexOf(MARKUP_DECLARATION, at + 2)) {
    if (startsAt(bytes, at, DOCTYPE) || startsAt(bytes, at, ENTITY)) return true;
  }
  return false;
}

/**
 * Checks raw XML bytes before the parser sees them: a DTD is refused at its first bytes, and a run
 * without any `<` longer than the limit (one giant text node or attribute, which a SAX parser would
 * buffer whole) is refused while it grows.
 */
export class XmlByteGuard {
  private run = 0;
  private tail: Buffer = Buffer.alloc(0);

  constructor(
    private readonly partName: string,
    private readonly maxRunBytes: number,
    private readonly maxCellChars: number,
  ) {}

  check(chunk: Buffer): void {
    // The seam catches a declaration cut in two by the chunk boundary.
    const seam = Buffer.concat([this.tail, chunk.subarray(0, MARKER_OVERLAP)]);
    if (declaresDtd(chunk) || declaresDtd(seam)) {
      throw readErrors.fileRejected(
        `its part ${this.partName} declares a DOCTYPE or entities (an XML entity expansion attack)`,
        { entry: this.partName },
      );
    }
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - MARKER_OVERLAP)));
    const first = chunk.indexOf(LESS_THAN);
    if (first < 0) {
      this.run += chunk.length;
    } else {
      this.run += first;
      this.assertRun();
      this.run = chunk.length - chunk.lastIndexOf(LESS_THAN) - 1;
    }
    this.assertRun();
  }

  private assertRun(): void {
    if (this.run > this.maxRunBytes) {
      throw readErrors.cellTooLarge(this.maxCellChars, this.run, { what: 'cell' });
    }
  }
}

/** Picks the decoder from the part's own byte order mark; XML parts are UTF-8 unless they say otherwise. */
function decoderFor(firstChunk: Buffer): TextDecoder {
  if (firstChunk[0] === 0xff && firstChunk[1] === 0xfe) return new TextDecoder('utf-16le');
  if (firstChunk[0] === 0xfe && firstChunk[1] === 0xff) return new TextDecoder('utf-16be');
  return new TextDecoder('utf-8');
}

export interface XmlStreamSettings {
  partName: string;
  /** How errors name the file's format. */
  expected: string;
  maxRunBytes: number;
  maxCellChars: number;
  /** Deepest nesting of elements: saxes keeps every open element, so unclosed tags must not pile up. */
  maxDepth: number;
  /** Most elements in the part. */
  maxElements: number;
}

/**
 * Feeds `chunks` to a SAX parser and yields, after each chunk, the items the handlers queued (as one array).
 * `makeHandlers` receives `emit` to queue items and `stop` to end early (e.g. after the wanted sheet).
 */
export async function* streamXml<T>(
  chunks: AsyncIterable<Buffer>,
  settings: XmlStreamSettings,
  makeHandlers: (emit: (item: T) => void, stop: () => void) => XmlHandlers,
): AsyncGenerator<T[]> {
  // Namespaces are resolved by the readers from the root element: cheaper than saxes doing it per tag.
  const parser = new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });
  const guard = new XmlByteGuard(settings.partName, settings.maxRunBytes, settings.maxCellChars);
  let queue: T[] = [];
  let stopped = false;
  const handlers = makeHandlers(
    (item) => queue.push(item),
    () => {
      stopped = true;
    },
  );
  let depth = 0;
  let elements = 0;
  parser.on('opentag', (tag) => {
    depth++;
    elements++;
    if (depth > settings.maxDepth) {
      throw readErrors.workbookTooComplex(
        `its part ${settings.partName} nests elements more than ${settings.maxDepth} deep`,
        settings.maxDepth,
        depth,
        { entry: settings.partName },
      );
    }
    if (elements > settings.maxElements) {
      throw readErrors.workbookTooComplex(
        `its part ${settings.partName} holds more XML elements than a spreadsheet part does`,
        settings.maxElements,
        elements,
        { entry: settings.partName },
      );
    }
    handlers.open(tag);
  });
  parser.on('closetag', (tag) => {
    depth--;
    handlers.close(tag);
  });
  parser.on('text', handlers.text);
  parser.on('cdata', handlers.text);
  parser.on('doctype', () => {
    throw readErrors.fileRejected(
      `its part ${settings.partName} declares a DOCTYPE (an XML entity expansion attack)`,
      {
        entry: settings.partName,
      },
    );
  });

  const iterator = chunks[Symbol.asyncIterator]();
  let decoder: TextDecoder | undefined;
  try {
    for (;;) {
      const next = await iterator.next();
      try {
        if (next.done) {
          parser.write(decoder?.decode() ?? '');
          parser.close();
        } else {
          guard.check(next.value);
          decoder ??= decoderFor(next.value);
          parser.write(decoder.decode(next.value, { stream: true }));
        }
      } catch (error) {
        if (isAppError(error)) throw error;
        throw readErrors.fileUnreadable(
          settings.expected,
          `its part ${settings.partName} is not well-formed XML`,
          {
            entry: settings.partName,
            cause: error instanceof Error ? error.message : String(error),
          },
        );
      }
      if (queue.length > 0) {
        const ready = queue;
        queue = [];
        yield ready;
      }
      if (next.done || stopped) return;
    }
  } finally {
    await iterator.return?.();
  }
}
