import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { TextEncodingName } from './types.js';

export interface DetectedEncoding {
  encoding: TextEncodingName;
  byteOrderMark: boolean;
}

/** The byte order mark, if any, that opens a text file. */
export function encodingFromBom(head: Uint8Array): TextEncodingName | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * UTF-16 saved without a byte order mark still shows itself: text that is mostly ASCII has a zero
 * byte in every other position. Only a strong pattern counts, so that binary files are not mistaken.
 */
export function utf16WithoutBom(sample: Uint8Array): TextEncodingName | null {
  const pairs = Math.floor(Math.min(sample.length, 4096) / 2);
  if (pairs < 2) return null;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i] === 0) zeroEven++;
    if (sample[2 * i + 1] === 0) zeroOdd++;
  }
  if (zeroOdd >= pairs * 0.4 && zeroEven <= pairs * 0.02) return 'utf-16le';
  if (zeroEven >= pairs * 0.4 && zeroOdd <= pairs * 0.02) return 'utf-16be';
  return null;
}

/** How many bytes at the start of `chunk` form whole UTF-8 sequences; the rest waits for the next chunk. */
function completeUtf8Length(chunk: Uint8Array): number {
  let start = chunk.length - 1;
  let continuationBytes = 0;
  while (start >= 0 && continuationBytes < 3 && ((chunk[start] ?? 0) & 0xc0) === 0x80) {
    start--;
    continuationBytes++;
  }
  if (start < 0) return chunk.length;
  const lead = chunk[start] ?? 0;
  const sequenceLength = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return sequenceLength > continuationBytes + 1 ? start : chunk.length;
}

/**
 * Whether the whole file is valid UTF-8. The file is read once, in chunks, with no decoding:
 * a Windows-1252 "é" on row 90,000 must not turn into U+FFFD because the first rows were ASCII.
 */
export async function isWholeFileUtf8(filePath: string, signal?: AbortSignal): Promise<boolean> {
  const stream = createReadStream(filePath, { highWaterMark: 256 * 1024, signal });
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const piece of stream) {
      const chunk: Buffer = carry.length === 0 ? (piece as Buffer) : Buffer.concat([carry, piece as Buffer]);
      const complete = completeUtf8Length(chunk);
      if (!isUtf8(chunk.subarray(0, complete))) return false;
      carry = chunk.subarray(complete);
    }
    return carry.length === 0 || isUtf8(carry);
  } finally {
    stream.destroy();
  }
}

/** The bytes that open the file in this encoding, to be skipped (TextDecoder would drop them too). */
export function bomLength(encoding: TextEncodingName, byteOrderMark: boolean): number {
  if (!byteOrderMark) return 0;
  return encoding === 'utf-8' ? 3 : 2;
}
