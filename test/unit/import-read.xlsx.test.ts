import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellsOf, type Fixtures, makeFixtures, readTabular, type ZipEntry } from './import-read.fixtures.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterAll(() => fixtures.cleanup());

describe('XLSX reading (files written by ExcelJS)', () => {
  it('turns every kind of cell into the text an admin sees', async () => {
    const file = await fixtures.xlsx('values.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('Users');
      sheet.addRow([
        'email',
        'employee_number',
        'count',
        'ratio',
        'big',
        'joined',
        'last_login',
        'serial_date',
        'plain_serial',
        'active',
        'inactive',
        'doubled',
        'float_sum',
        'greeting',
        'is_big',
        'rich',
        'link',
        'error',
        'error_formula',
      ]);
      const row = sheet.addRow([
        'ann@example.com',
        '00042',
        42,
        3.14,
        1234567890123,
        new Date(Date.UTC(2024, 0, 5)),
        new Date(Date.UTC(2024, 0, 5, 9, 30)),
        45296,
        45296,
        true,
        false,
        { formula: 'C2*2', result: 84 },
        { formula: '0.1+0.2', result: 0.30000000000000004 },
        { formula: 'A2&"!"', result: 'ann@example.com!' },
        { formula: 'C2>1', result: true },
        { richText: [{ text: 'Bold', font: { bold: true } }, { text: ' and plain' }] },
        { text: 'Portal', hyperlink: 'https://portal.example.com' },
        { error: '#N/A' },
        { formula: '1/0', result: { error: '#DIV/0!' } },
      ]);
      // An Excel serial date: a number with a date format.
      row.getCell(8).numFmt = 'dd/mm/yyyy';
    });
    const { source, rows } = await readTabular(file, { fileName: 'values.xlsx' });
    expect(source.format).toBe('xlsx');
    expect(source.sheet).toEqual({ name: 'Users', index: 0, sheetNames: ['Users'], otherSheetsWithData: [] });
    expect(rows).toEqual([
      {
        rowNumber: 2,
        cells: [
          'ann@example.com',
          '00042',
          '42',
          '3.14',
          '1234567890123',
          '2024-01-05',
          '2024-01-05T09:30:00',
          '2024-01-05',
          '45296',
          'TRUE',
          'FALSE',
          '84',
          '0.3',
          'ann@example.com!',
          'TRUE',
          'Bold and plain',
          'Portal',
          '#N/A',
          '#DIV/0!',
        ],
      },
    ]);
  });

  it('skips blank rows but keeps their numbers, trims trailing empty columns, pads short rows', async () => {
    const file = await fixtures.xlsx('blank.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('Data');
      sheet.getRow(2).values = ['email', 'name'];
      sheet.getCell('E2').value = '   ';
      sheet.getRow(3).values = ['a@example.com', 'Ann'];
      sheet.getCell('D4').style = { font: { bold: true } };
      sheet.getRow(6).values = ['b@example.com'];
      sheet.getRow(7).values = ['c@example.com', 'Cy', null, 'stray'];
    });
    const { source, rows } = await readTabular(file);
    expect(source.header).toEqual(['email', 'name']);
    expect(source.headerRowNumber).toBe(2);
    expect(rows).toEqual([
      { rowNumber: 3, cells: ['a@example.com', 'Ann'] },
      { rowNumber: 6, cells: ['b@example.com', ''] },
      { rowNumber: 7, cells: ['c@example.com', 'Cy', '', 'stray'] },
    ]);
  });

  it('uses the second sheet when the first is empty, and says so', async () => {
    const file = await fixtures.xlsx('second-sheet.xlsx', (workbook) => {
      workbook.addWorksheet('Instructions');
      const data = workbook.addWorksheet('Users');
      data.addRow(['email']);
      data.addRow(['a@example.com']);
    });
    const { source, rows } = await readTabular(file);
    expect(source.sheet).toEqual({
      name: 'Users',
      index: 1,
      sheetNames: ['Instructions', 'Users'],
      otherSheetsWithData: [],
    });
    expect(cellsOf(rows)).toEqual([['a@example.com']]);
  });

  it('uses the first of two data sheets and reports both', async () => {
    const file = await fixtures.xlsx('two-sheets.xlsx', (workbook) => {
      const first = workbook.addWorksheet('January');
      first.addRow(['email']);
      first.addRow(['jan@example.com']);
      const second = workbook.addWorksheet('February');
      second.addRow(['email']);
      second.addRow(['feb@example.com']);
    });
    const { source, rows } = await readTabular(file);
    expect(source.sheet).toEqual({
      name: 'January',
      index: 0,
      sheetNames: ['January', 'February'],
      otherSheetsWithData: ['February'],
    });
    expect(cellsOf(rows)).toEqual([['jan@example.com']]);
  });

  it('passes over a hidden sheet that comes first', async () => {
    const file = await fixtures.xlsx('hidden.xlsx', (workbook) => {
      const lists = workbook.addWorksheet('Lists', { state: 'hidden' });
      lists.addRow(['Standard', 'Privileged']);
      const users = workbook.addWorksheet('Users');
      users.addRow(['email']);
      users.addRow(['a@example.com']);
    });
    const { source } = await readTabular(file);
    expect(source.sheet).toMatchObject({ name: 'Users', index: 1 });
  });

  it("skips the template's hint row", async () => {
    const file = await fixtures.xlsx('template.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('Users');
      sheet.addRow(['email', 'first_name', 'user_type']);
      sheet.addRow(['Required', 'Optional', 'Optional: Standard | Privileged']);
      sheet.addRow(['a@example.com', 'Ann', 'Standard']);
    });
    const { source, rows } = await readTabular(file);
    expect(source.hintRowSkipped).toBe(true);
    expect(rows).toEqual([{ rowNumber: 3, cells: ['a@example.com', 'Ann', 'Standard'] }]);
  });
});

/** A minimal workbook assembled by hand, for what writers rarely produce but the format allows. */
function handMadeWorkbook(
  sheets: { name: string; part: string; xml: string }[],
  extra: ZipEntry[] = [],
): ZipEntry[] {
  const relationships = sheets
    .map(
      (sheet, i) =>
        `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="${sheet.part}"/>`,
    )
    .join('');
  return [
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    },
    {
      name: '_rels/.rels',
      data: '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:workbookPr date1904="1"/><x:sheets>${sheets
        .map((sheet, i) => `<x:sheet name="${sheet.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('')}</x:sheets></x:workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relationships}<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    },
    {
      name: 'xl/styles.xml',
      data: '<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="[$-409]d\\-mmm\\-yyyy;@"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="20"/></cellXfs></styleSheet>',
    },
    ...sheets.map((sheet) => ({ name: `xl/${sheet.part}`, data: sheet.xml })),
    ...extra,
  ];
}

const sheetXml = (rows: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>${rows}</x:sheetData></x:worksheet>`;

describe('XLSX reading (hand-assembled parts)', () => {
  it('follows tab order rather than part names, and reads prefixed elements, inline strings and cells without references', async () => {
    const entries = handMadeWorkbook([
      {
        name: 'People',
        part: 'worksheets/sheet2.xml',
        xml: sheetXml(
          '<x:row><x:c t="inlineStr"><x:is><x:t>email</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:r><x:t>start</x:t></x:r><x:r><x:t xml:space="preserve"> date</x:t></x:r></x:is></x:c><x:c t="inlineStr"><x:is><x:t>at</x:t></x:is></x:c></x:row>' +
            '<x:row><x:c t="inlineStr"><x:is><x:t>ann@example.com</x:t></x:is></x:c><x:c s="1"><x:v>0</x:v></x:c><x:c s="2"><x:v>0.5</x:v></x:c></x:row>' +
            '<x:row r="5"><x:c r="C5" t="d"><x:v>2024-03-01T00:00:00</x:v></x:c><x:c r="A5" t="inlineStr"><x:is><x:t>&amp; co &lt;tag&gt;</x:t></x:is></x:c></x:row>',
        ),
      },
      {
        name: 'Old',
        part: 'worksheets/sheet1.xml',
        xml: sheetXml('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>old</x:t></x:is></x:c></x:row>'),
      },
    ]);
    const file = await fixtures.zip('hand.xlsx', entries);
    const { source, rows } = await readTabular(file);
    expect(source.sheet).toEqual({
      name: 'People',
      index: 0,
      sheetNames: ['People', 'Old'],
      otherSheetsWithData: ['Old'],
    });
    expect(source.header).toEqual(['email', 'start date', 'at']);
    expect(rows).toEqual([
      // date1904: serial 0 is 1904-01-01; format 20 is h:mm, a time.
      { rowNumber: 2, cells: ['ann@example.com', '1904-01-01', '12:00:00'] },
      { rowNumber: 5, cells: ['& co <tag>', '', '2024-03-01'] },
    ]);
  });

  it('decodes the _xHHHH_ escapes Excel writes for control characters, and keeps an escaped literal', async () => {
    const entries = handMadeWorkbook(
      [
        {
          name: 'Notes',
          part: 'worksheets/sheet1.xml',
          xml: sheetXml(
            '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>email</x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>note</x:t></x:is></x:c></x:row>' +
              '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>ann@example.com</x:t></x:is></x:c><x:c r="B2" t="s"><x:v>0</x:v></x:c></x:row>' +
              '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>bob@example.com</x:t></x:is></x:c><x:c r="B3" t="inlineStr"><x:is><x:t>tab_x0009_here</x:t></x:is></x:c></x:row>',
          ),
        },
      ],
      [
        {
          name: 'xl/sharedStrings.xml',
          data: '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>line one_x000D_\nline two, literal _x005F_x000D_</t></si></sst>',
        },
      ],
    );
    const { rows } = await readTabular(await fixtures.zip('escapes.xlsx', entries));
    expect(cellsOf(rows)).toEqual([
      ['ann@example.com', 'line one\r\nline two, literal _x000D_'],
      ['bob@example.com', 'tab\there'],
    ]);
  });

  it('rejects a reference to shared text that does not exist', async () => {
    const file = await fixtures.zip(
      'bad-shared.xlsx',
      handMadeWorkbook([
        {
          name: 'S',
          part: 'worksheets/sheet1.xml',
          xml: sheetXml('<x:row r="1"><x:c r="A1" t="s"><x:v>7</x:v></x:c></x:row>'),
        },
      ]),
    );
    await expect(readTabular(file)).rejects.toMatchObject({ code: 'import.file_unreadable' });
  });
});
