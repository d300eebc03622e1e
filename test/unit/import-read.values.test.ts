import { describe, expect, it } from 'vitest';
import {
  dateKindOfFormat,
  excelSerialToIso,
  isoDurationToTime,
  normaliseIsoDateTime,
  plainNumberText,
} from '../../src/core/import/read/cell-values.js';
import { contentKind } from '../../src/core/import/read/sniff.js';
import { utf16WithoutBom } from '../../src/core/import/read/text-encoding.js';
import { columnOfReference } from '../../src/core/import/read/xlsx.js';
import { XmlByteGuard } from '../../src/core/import/read/xml.js';

describe('numbers as text', () => {
  it.each([
    ['42', '42'],
    ['-7', '-7'],
    ['3.14', '3.14'],
    ['1.50', '1.5'],
    ['2.0', '2'],
    ['-0', '0'],
    ['-0.5', '-0.5'],
    ['1234567890123', '1234567890123'],
    // Integers keep every digit a writer put there, beyond what a float holds.
    ['12345678901234567890', '12345678901234567890'],
    ['0.30000000000000004', '0.3'],
    ['3.3333333333333335', '3.33333333333333'],
    ['1E-7', '0.0000001'],
    ['1.2345678901234567E+20', '123456789012346000000'],
    ['4.0000000000000001E-3', '0.004'],
    [' 5 ', '5'],
  ])('%s → %s', (raw, expected) => {
    expect(plainNumberText(raw)).toBe(expected);
  });
});

describe('dates', () => {
  it.each([
    [45296, 'date', false, '2024-01-05'],
    [45296.395833333336, 'date', false, '2024-01-05T09:30:00'],
    [45296.39583333333, 'date', false, '2024-01-05T09:30:00'],
    [1, 'date', false, '1900-01-01'],
    [59, 'date', false, '1900-02-28'],
    [61, 'date', false, '1900-03-01'],
    [0, 'date', true, '1904-01-01'],
    [0.75, 'time', false, '18:00:00'],
    [1.5, 'time', false, '1900-01-01T12:00:00'],
    // Outside the days Excel can show, a date-formatted number stays a number.
    [-1, 'date', false, '-1'],
    [3e6, 'date', false, '3000000'],
  ] as const)('serial %d (%s, 1904: %s) → %s', (serial, kind, date1904, expected) => {
    expect(excelSerialToIso(serial, kind, date1904)).toBe(expected);
  });

  it.each([
    [14, undefined, 'date'],
    [22, undefined, 'date'],
    [20, undefined, 'time'],
    [0, undefined, null],
    [49, undefined, null],
    [164, 'yyyy-mm-dd', 'date'],
    [164, 'dd/mm/yyyy hh:mm', 'date'],
    [164, '[$-409]d\\-mmm\\-yyyy;@', 'date'],
    [164, 'h:mm:ss AM/PM', 'time'],
    [164, '[h]:mm', 'time'],
    [164, 'mm:ss', 'time'],
    [164, '0.00%', null],
    [164, '#,##0.00 "days"', null],
    [164, '[Red]#,##0;[Blue]-#,##0', null],
    [164, '_(* #,##0_);_(* (#,##0)', null],
    [164, '0.00E+00', null],
    [164, '@', null],
    [164, 'General', null],
  ] as const)('format %d %j is %s', (id, code, expected) => {
    expect(dateKindOfFormat(id, code)).toBe(expected);
  });

  it.each([
    ['2024-01-05', '2024-01-05'],
    ['2024-01-05T00:00:00', '2024-01-05'],
    ['2024-01-05T00:00:00.000Z', '2024-01-05'],
    ['2024-01-05T13:45:00', '2024-01-05T13:45:00'],
    ['2024-01-05T13:45:00.500Z', '2024-01-05T13:45:00.5Z'],
    ['not a date', 'not a date'],
  ])('ISO %s → %s', (raw, expected) => {
    expect(normaliseIsoDateTime(raw)).toBe(expected);
  });

  it.each([
    ['PT09H30M00S', '09:30:00'],
    ['PT36H00M00S', '36:00:00'],
    ['P1DT2H', '26:00:00'],
    ['PT00H00M01.250S', '00:00:01.25'],
  ])('duration %s → %s', (raw, expected) => {
    expect(isoDurationToTime(raw)).toBe(expected);
  });
});

describe('recognising content', () => {
  it.each([
    [[0x50, 0x4b, 0x03, 0x04], 'zip'],
    [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'ole2'],
    [[0x25, 0x50, 0x44, 0x46, 0x2d, 0x31], 'pdf'],
    [[0xff, 0xd8, 0xff, 0xe0], 'image'],
    [[0x1f, 0x8b, 0x08], 'compressed'],
    [[0x65, 0x6d, 0x61, 0x69, 0x6c], 'text'],
  ] as const)('%j is %s', (bytes, expected) => {
    expect(contentKind(Uint8Array.from(bytes))).toBe(expected);
  });

  it('recognises UTF-16 without a byte order mark by its zero bytes', () => {
    expect(utf16WithoutBom(Buffer.from('email,name\r\na@example.com,Ann\r\n', 'utf16le'))).toBe('utf-16le');
    expect(utf16WithoutBom(Buffer.from('email,name\r\na@example.com,Ann\r\n', 'utf16le').swap16())).toBe(
      'utf-16be',
    );
    expect(utf16WithoutBom(Buffer.from('email,name\r\n'))).toBeNull();
  });

  it.each([
    ['A1', 0],
    ['Z9', 25],
    ['AA10', 26],
    ['XFD1048576', 16383],
    ['12', null],
  ] as const)('cell reference %s is column %s', (reference, expected) => {
    expect(columnOfReference(reference)).toBe(expected);
  });
});

describe('the XML byte guard', () => {
  const guard = () => new XmlByteGuard('content.xml', 1000, 100);

  it('refuses a DOCTYPE even when a chunk boundary cuts it in two', () => {
    const split = guard();
    split.check(Buffer.from('<?xml version="1.0"?><!DOC'));
    expect(() => split.check(Buffer.from('TYPE x [<!ENTITY a "b">]><x/>'))).toThrow(/DOCTYPE/);
  });

  it('lets comments and CDATA through', () => {
    expect(() => guard().check(Buffer.from('<x><!-- note --><![CDATA[a<b]]></x>'))).not.toThrow();
  });

  it('refuses a run without tags longer than the limit, across chunks', () => {
    const runs = guard();
    runs.check(Buffer.from(`<t>${'a'.repeat(600)}`));
    expect(() => runs.check(Buffer.from('a'.repeat(600)))).toThrow(
      expect.objectContaining({ code: 'import.cell_too_large' }),
    );
  });
});
