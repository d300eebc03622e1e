import { createReadStream } from 'node:fs';
import type { TextEncodingName } from './types.js';

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

/** What the bytes of a whole file say about its encoding. */
export interface ByteEvidence {
  /** Multi-byte UTF-8 sequences that are well formed. */
  validSequences: number;
  /** Bytes that start no well-formed UTF-8 sequence. */
  invalidSequences: number;
  /** How often each byte 0x80–0xFF occurs (index: byte − 0x80). */
  highBytes: Uint32Array;
  /** Offset of the first zero byte, or null. */
  zeroByteAt: number | null;
}

/** Counts well-formed and broken UTF-8 sequences in `bytes` (whole sequences only). */
function scanUtf8(bytes: Uint8Array, evidence: ByteEvidence): void {
  const n = bytes.length;
  const high = evidence.highBytes;
  for (let i = 0; i < n; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    high[b - 0x80]!++;
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    let ok = need > 0 && i + need < n;
    if (ok) {
      const second = bytes[i + 1] ?? 0;
      // No overlong forms, no surrogates, nothing above U+10FFFF.
      const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      const top = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
      ok = second >= low && second <= top;
      for (let k = 2; ok && k <= need; k++) ok = ((bytes[i + k] ?? 0) & 0xc0) === 0x80;
    }
    if (!ok) {
      evidence.invalidSequences++;
      i++;
      continue;
    }
    for (let k = 1; k <= need; k++) high[bytes[i + k]! - 0x80]!++;
    evidence.validSequences++;
    i += need + 1;
  }
}

/**
 * Reads the whole file once, in chunks, without decoding: how much of it is valid UTF-8, which
 * high bytes it holds, and where a zero byte is. A Windows-1252 "é" on row 90,000 counts as much
 * as one on row 1, and one bad byte in a UTF-8 file does not outweigh a thousand good sequences.
 */
export async function scanFileBytes(filePath: string, signal?: AbortSignal): Promise<ByteEvidence> {
  const evidence: ByteEvidence = {
    validSequences: 0,
    invalidSequences: 0,
    highBytes: new Uint32Array(128),
    zeroByteAt: null,
  };
  const stream = createReadStream(filePath, { highWaterMark: 256 * 1024, signal });
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  try {
    for await (const piece of stream) {
      const bytes = piece as Buffer;
      if (evidence.zeroByteAt === null) {
        const zero = bytes.indexOf(0);
        if (zero >= 0) evidence.zeroByteAt = offset + zero;
      }
      offset += bytes.length;
      const chunk: Buffer = carry.length === 0 ? bytes : Buffer.concat([carry, bytes]);
      const complete = completeUtf8Length(chunk);
      scanUtf8(chunk.subarray(0, complete), evidence);
      carry = chunk.subarray(complete);
    }
    if (carry.length > 0) scanUtf8(carry, evidence);
    return evidence;
  } finally {
    stream.destroy();
  }
}

const windows1252 = new TextDecoder('windows-1252');
const macRoman = new TextDecoder('macintosh');
const LOWER = /\p{Ll}/u;
const LETTER = /\p{L}/u;
/** How much a byte looks like text in a single-byte encoding: lower-case letters most, then letters. */
const letterWeights = (decoder: { decode(input: Uint8Array): string }): number[] =>
  Array.from({ length: 128 }, (_, i) => {
    const char = decoder.decode(new Uint8Array([0x80 + i]));
    return LOWER.test(char) ? 2 : LETTER.test(char) ? 1 : 0;
  });
const WINDOWS_WEIGHTS = letterWeights(windows1252);
const MAC_WEIGHTS = letterWeights(macRoman);

/**
 * UTF-8 when the file is valid UTF-8, or mostly so (more good multi-byte sequences than bad bytes:
 * the bad ones become U+FFFD and their rows carry a problem). Otherwise a single-byte encoding:
 * Mac Roman when its reading of the high bytes gives more letters (its accented lower-case letters
 * sit at 0x87–0x9F, where Windows-1252 has punctuation), or as many and the file's lines end in CR
 * only (classic Mac OS); else Windows-1252.
 */
export function encodingFromEvidence(evidence: ByteEvidence, crOnly: boolean): TextEncodingName {
  if (evidence.invalidSequences === 0) return 'utf-8';
  if (evidence.validSequences > evidence.invalidSequences) return 'utf-8';
  let windows = 0;
  let mac = 0;
  for (let i = 0; i < 128; i++) {
    const count = evidence.highBytes[i]!;
    if (count === 0) continue;
    windows += count * WINDOWS_WEIGHTS[i]!;
    mac += count * MAC_WEIGHTS[i]!;
  }
  return mac > windows || (crOnly && mac === windows) ? 'macintosh' : 'windows-1252';
}
