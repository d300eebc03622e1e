import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellsOf, type Fixtures, makeFixtures, odsEntries, readTabular } from './import-read.fixtures.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterAll(() => fixtures.cleanup());

describe('ODS reading (files written by SheetJS)', () => {
  it('reads strings, numbers, dates, booleans and spaces, skipping blank rows', async () => {
    const file = await fixtures.ods('values.ods', [
      {
        name: 'Users',
        rows: [
          ['email', 'employee_number', 'count', 'joined', 'active', 'name'],
          ['ann@example.com', '00042', 42, new Date(Date.UTC(2024, 0, 5)), true, 'Ann  Lee'],
          [],
          ['bob@example.com', '7', 0.25, null, false, 'Bob'],
        ],
      },
    ]);
    const { source, rows } = await readTabular(file, { fileName: 'values.ods' });
    expect(source.format).toBe('ods');
    expect(source.sheet).toEqual({ name: 'Users', index: 0, sheetNames: ['Users'], otherSheetsWithData: [] });
    expect(source.header).toEqual(['email', 'employee_number', 'count', 'joined', 'active', 'name']);
    expect(rows).toEqual([
      { rowNumber: 2, cells: ['ann@example.com', '00042', '42', '2024-01-05', 'TRUE', 'Ann  Lee'] },
      { rowNumber: 4, cells: ['bob@example.com', '7', '0.25', '', 'FALSE', 'Bob'] },
    ]);
  });

  it('uses the second sheet when the first is empty', async () => {
    const file = await fixtures.ods('second.ods', [
      { name: 'Notes', rows: [] },
      { name: 'Users', rows: [['email'], ['a@example.com']] },
    ]);
    const { source, rows } = await readTabular(file);
    expect(source.sheet).toEqual({
      name: 'Users',
      index: 1,
      sheetNames: ['Notes', 'Users'],
      otherSheetsWithData: [],
    });
    expect(cellsOf(rows)).toEqual([['a@example.com']]);
  });

  it('uses the first of two data sheets and reports both', async () => {
    const file = await fixtures.ods('two.ods', [
      { name: 'North & South', rows: [['email'], ['n@example.com']] },
      { name: 'West', rows: [['email'], ['w@example.com']] },
    ]);
    const { source, rows } = await readTabular(file);
    expect(source.sheet).toEqual({
      name: 'North & South',
      index: 0,
      sheetNames: ['North & South', 'West'],
      otherSheetsWithData: ['West'],
    });
    expect(cellsOf(rows)).toEqual([['n@example.com']]);
  });

  it("skips the template's hint row", async () => {
    const file = await fixtures.ods('template.ods', [
      {
        name: 'Users',
        rows: [
          ['email', 'user_type'],
          ['Required', 'Optional: Standard | Privileged'],
          ['a@example.com', 'Privileged'],
        ],
      },
    ]);
    const { source, rows } = await readTabular(file);
    expect(source.hintRowSkipped).toBe(true);
    expect(rows).toEqual([{ rowNumber: 3, cells: ['a@example.com', 'Privileged'] }]);
  });
});

const cell = (type: string, attributes: string, text: string): string =>
  `<table:table-cell office:value-type="${type}" calcext:value-type="${type}" ${attributes}><text:p>${text}</text:p></table:table-cell>`;

describe('ODS reading (LibreOffice-style content.xml)', () => {
  it('handles repeated columns and rows without expanding empty runs, and every value type', async () => {
    const body =
      '<table:table table:name="Data"><table:table-column table:number-columns-repeated="1024"/>' +
      '<table:table-header-rows><table:table-row>' +
      cell('string', '', 'email') +
      cell('string', '', 'flag') +
      cell('string', '', 'note') +
      cell('string', '', 'pct') +
      cell('string', '', 'price') +
      cell('string', '', 'time') +
      cell('string', '', 'when') +
      '<table:table-cell table:number-columns-repeated="16378"/></table:table-row></table:table-header-rows>' +
      '<table:table-row>' +
      cell('string', '', 'a@example.com') +
      cell('string', 'table:number-columns-repeated="1"', 'x') +
      '<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Line <text:span text:style-name="T1">one</text:span><text:s text:c="3"/>end</text:p><text:p>second<text:tab/>tabbed<text:line-break/>broken</text:p><office:annotation><text:p>a comment, not data</text:p></office:annotation></table:table-cell>' +
      cell('percentage', 'office:value="0.25"', '25%') +
      cell('currency', 'office:value="12.5" office:currency="EUR"', '12,50 €') +
      cell('time', 'office:time-value="PT09H30M00S"', '09:30') +
      cell('date', 'office:date-value="2024-01-05T13:45:00"', '01/05/24 13:45') +
      '<table:table-cell table:number-columns-repeated="16377"/></table:table-row>' +
      // A million blank rows at the end of the sheet, then one more with data.
      '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>' +
      '<table:table-row table:number-rows-repeated="2">' +
      '<table:table-cell table:number-columns-repeated="2"/>' +
      cell('float', 'office:value="1.0E-7"', '0') +
      '<table:covered-table-cell table:number-columns-repeated="2"/>' +
      cell('boolean', 'office:boolean-value="true"', 'TRUE') +
      '<table:table-cell office:value-type="string" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>' +
      '</table:table-row>' +
      '</table:table>' +
      '<table:table table:name="Second"><table:table-row>' +
      cell('string', '', 'ignored') +
      '</table:table-row></table:table>';
    const file = await fixtures.zip('libre.ods', odsEntries(body));
    const { source, rows } = await readTabular(file);
    expect(source.sheet).toEqual({
      name: 'Data',
      index: 0,
      sheetNames: ['Data', 'Second'],
      otherSheetsWithData: ['Second'],
    });
    expect(source.header).toEqual(['email', 'flag', 'note', 'pct', 'price', 'time', 'when']);
    expect(rows).toEqual([
      {
        rowNumber: 2,
        cells: [
          'a@example.com',
          'x',
          'Line one   end\nsecond\ttabbed\nbroken',
          '0.25',
          '12.5',
          '09:30:00',
          '2024-01-05T13:45:00',
        ],
      },
      { rowNumber: 1_048_003, cells: ['', '', '0.0000001', '', '', 'TRUE', '#DIV/0!'] },
      { rowNumber: 1_048_004, cells: ['', '', '0.0000001', '', '', 'TRUE', '#DIV/0!'] },
    ]);
  });

  it('rejects a value repeated across more columns than allowed', async () => {
    const body =
      '<table:table table:name="Wide"><table:table-row>' +
      cell('string', 'table:number-columns-repeated="10000"', 'x') +
      '</table:table-row></table:table>';
    const file = await fixtures.zip('wide.ods', odsEntries(body));
    await expect(readTabular(file)).rejects.toMatchObject({
      code: 'import.too_many_columns',
      details: { limit: 500, actual: 10000, rowNumber: 1 },
    });
  });

  it('refuses an OpenDocument text document', async () => {
    const file = await fixtures.zip('letter.ods', odsEntries('', 'application/vnd.oasis.opendocument.text'));
    await expect(readTabular(file)).rejects.toMatchObject({ code: 'import.file_unreadable' });
  });
});
