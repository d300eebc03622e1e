import { Alert, Button, Group, Select, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/api';
import { rereadImport } from '../api';
import { describeReading } from '../ImportDetails';
import type { Import } from '../types';

const ENCODINGS = [
  { value: 'utf-8', label: 'UTF-8' },
  { value: 'windows-1252', label: 'Windows-1252 (Western European)' },
  { value: 'macintosh', label: 'Mac Roman' },
  { value: 'utf-16le', label: 'UTF-16 LE' },
  { value: 'utf-16be', label: 'UTF-16 BE' },
];
const DELIMITERS = [
  { value: ',', label: 'Comma ,' },
  { value: ';', label: 'Semicolon ;' },
  { value: 'tab', label: 'Tab' },
  { value: '|', label: 'Pipe |' },
];

/**
 * How the file was read (encoding, delimiter, line ending, sheet), and pickers to read it again
 * otherwise (PUT /imports/{id}/source): the same import, its rows staged anew.
 */
export function ReadChoicesForm({
  view,
  canRun,
  onReread,
}: {
  view: Import;
  canRun: boolean;
  onReread: (next: Import) => void;
}) {
  const meta = view.file.meta;
  const sheet = meta.sheet as { name: string; sheetNames: string[]; otherSheetsWithData: string[] } | null;
  const delimiter =
    typeof meta.delimiter === 'string' ? (meta.delimiter === '\t' ? 'tab' : meta.delimiter) : null;
  const [encoding, setEncoding] = useState<string | null>(
    typeof meta.encoding === 'string' ? meta.encoding : null,
  );
  const [sep, setSep] = useState<string | null>(delimiter);
  const [sheetName, setSheetName] = useState<string | null>(sheet?.name ?? null);
  const reread = useMutation({
    // Every picker of the file's kind is sent: what the admin leaves as it was stays as it was read.
    mutationFn: () =>
      rereadImport(
        view.id,
        view.file.format === 'csv'
          ? { ...(encoding && { encoding }), ...(sep && { delimiter: sep }) }
          : { ...(sheetName && { sheet: sheetName }) },
      ),
    onSuccess: onReread,
  });
  const changed =
    (encoding !== null && encoding !== meta.encoding) ||
    (sep !== null && sep !== delimiter) ||
    (sheetName !== null && sheetName !== (sheet?.name ?? null));
  const reading = describeReading(meta);
  return (
    <Stack gap="xs" data-testid="file-reading">
      {reading !== '' && (
        <Text size="sm" c="dimmed">
          Read as: {reading}.
        </Text>
      )}
      {sheet && sheet.otherSheetsWithData.length > 0 && (
        <Alert color="yellow" title="This workbook has data on more than one sheet">
          Rows were read from sheet "{sheet.name}" only. To import another sheet, pick it below and read the
          file again.
        </Alert>
      )}
      {canRun && (
        <Group align="end" gap="sm">
          {view.file.format === 'csv' ? (
            <>
              <Select label="Encoding" data={ENCODINGS} value={encoding} onChange={setEncoding} w={240} />
              <Select label="Delimiter" data={DELIMITERS} value={sep} onChange={setSep} w={160} />
            </>
          ) : (
            sheet && (
              <Select
                label="Sheet"
                data={sheet.sheetNames}
                value={sheetName}
                onChange={setSheetName}
                w={240}
              />
            )
          )}
          <Button
            variant="default"
            onClick={() => reread.mutate()}
            disabled={!changed}
            loading={reread.isPending}
          >
            Read the file again
          </Button>
        </Group>
      )}
      {reread.isError && (
        <Alert color="red" role="alert">
          {describeError(reread.error)}
        </Alert>
      )}
    </Stack>
  );
}
