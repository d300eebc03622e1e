import {
  Alert,
  Button,
  Group,
  List,
  Loader,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/api';
import { formatDateTime, formatNumber, plural } from '../../lib/format';
import { applyFix, listFixes, listInvalidValues } from '../api';
import type { FixInput, Import, ImportFix } from '../types';

/**
 * Bulk fixes in the review: each runs on the server over every staged row at once, the rows it
 * changed are checked again, and it is kept in the import's history (listed below the table).
 */
export function useBulkFix(view: Import, onDone: (message: string) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fix: FixInput) => applyFix(view.id, fix),
    onSuccess: (answer) => {
      queryClient.setQueryData(['import', view.id], answer.import);
      queryClient.invalidateQueries({ queryKey: ['import-rows', view.id] });
      queryClient.invalidateQueries({ queryKey: ['import-fixes', view.id] });
      queryClient.invalidateQueries({ queryKey: ['import-invalid-values', view.id] });
      onDone(
        `${plural(answer.fix.rowsChanged, 'row')} changed; ${plural(answer.import.rows.invalid, 'row')} with errors left.`,
      );
    },
  });
}

/** The file columns a fix can change: the imported ones, by their header. */
function columnChoices(view: Import) {
  return view.mapping.columns
    .filter((c) => c.field !== null)
    .map((c) => ({ value: String(c.index), label: c.header || `Column ${c.index + 1}` }));
}

/** The column the dialogs open on: the first imported one with a problem, else the first imported one. */
function firstColumnWithErrors(view: Import, errorColumns: readonly string[]): string | null {
  const choices = columnChoices(view);
  return (choices.find((c) => errorColumns.includes(c.label)) ?? choices[0])?.value ?? null;
}

type Dialog = 'values' | 'replace' | null;

/** "Replace values…" and "Find and replace…", each a dialog over one column. */
export function FixToolbar({
  view,
  errorColumns,
  onDone,
}: {
  view: Import;
  /** Columns with a problem on the page shown: the dialogs open on the first of them. */
  errorColumns: readonly string[];
  onDone: (message: string) => void;
}) {
  const [open, setOpen] = useState<Dialog>(null);
  return (
    <>
      <Group gap="xs">
        <Button variant="default" size="xs" onClick={() => setOpen('values')}>
          Replace values…
        </Button>
        <Button variant="default" size="xs" onClick={() => setOpen('replace')}>
          Find and replace…
        </Button>
      </Group>
      {open === 'values' && (
        <ReplaceValuesDialog
          view={view}
          initialColumn={firstColumnWithErrors(view, errorColumns)}
          onClose={() => setOpen(null)}
          onDone={onDone}
        />
      )}
      {open === 'replace' && (
        <FindReplaceDialog
          view={view}
          initialColumn={firstColumnWithErrors(view, errorColumns)}
          onClose={() => setOpen(null)}
          onDone={onDone}
        />
      )}
    </>
  );
}

/** A column's distinct invalid values with their counts, each with a field for its replacement. */
function ReplaceValuesDialog({
  view,
  initialColumn,
  onClose,
  onDone,
}: {
  view: Import;
  initialColumn: string | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [column, setColumn] = useState<string | null>(initialColumn);
  const [map, setMap] = useState<Record<string, string>>({});
  const values = useQuery({
    queryKey: ['import-invalid-values', view.id, column],
    queryFn: () => listInvalidValues(view.id, Number(column)),
    enabled: column !== null,
  });
  const fix = useBulkFix(view, (message) => {
    onDone(message);
    onClose();
  });
  const chosen = Object.fromEntries(Object.entries(map).filter(([, to]) => to.trim() !== ''));
  const count = Object.keys(chosen).length;
  return (
    <Modal opened onClose={onClose} title="Replace values" size="lg">
      <Stack gap="md">
        <Select
          label="Column"
          data={columnChoices(view)}
          value={column}
          onChange={(v) => {
            setColumn(v);
            setMap({});
          }}
          allowDeselect={false}
        />
        <Text size="sm" c="dimmed">
          The values of this column in rows with a problem on it. Type what each should become: every cell
          holding it changes, and those rows are checked again.
        </Text>
        {values.isPending && column !== null && <Loader size="sm" aria-label="Loading values" />}
        {values.isError && (
          <Alert color="red" role="alert">
            {describeError(values.error)}
          </Alert>
        )}
        {values.data && values.data.values.length === 0 && (
          <Text size="sm">No row has a problem in this column.</Text>
        )}
        {values.data && values.data.values.length > 0 && (
          <Table data-testid="invalid-values">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Value</Table.Th>
                <Table.Th ta="right">Rows</Table.Th>
                <Table.Th>Replace with</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {values.data.values.map((v) => (
                <Table.Tr key={v.value}>
                  <Table.Td>{v.value === '' ? <i>empty</i> : v.value}</Table.Td>
                  <Table.Td ta="right">{formatNumber(v.count)}</Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={`Replace "${v.value || 'empty'}" with`}
                      value={map[v.value] ?? ''}
                      onChange={(e) => {
                        const next = e.currentTarget.value;
                        setMap((m) => ({ ...m, [v.value]: next }));
                      }}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {values.data && values.data.distinct > values.data.values.length && (
          <Text size="sm" c="dimmed">
            The {formatNumber(values.data.values.length)} most frequent of{' '}
            {formatNumber(values.data.distinct)} values.
          </Text>
        )}
        {fix.isError && (
          <Alert color="red" role="alert" title="Nothing was changed">
            {describeError(fix.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            onClick={() => fix.mutate({ kind: 'valueMap', column: String(column), map: chosen })}
            disabled={count === 0 || column === null}
            loading={fix.isPending}
          >
            Replace {plural(count, 'value')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function FindReplaceDialog({
  view,
  initialColumn,
  onClose,
  onDone,
}: {
  view: Import;
  initialColumn: string | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [column, setColumn] = useState<string | null>(initialColumn);
  const [find, setFind] = useState('');
  const [replacement, setReplacement] = useState('');
  const fix = useBulkFix(view, (message) => {
    onDone(message);
    onClose();
  });
  return (
    <Modal opened onClose={onClose} title="Find and replace">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (find !== '' && column !== null)
            fix.mutate({ kind: 'replace', column, find, replace: replacement });
        }}
      >
        <Stack gap="md">
          <Select
            label="Column"
            data={columnChoices(view)}
            value={column}
            onChange={setColumn}
            allowDeselect={false}
          />
          <TextInput
            label="Find"
            description="Text within the cells, matched exactly (case counts)"
            value={find}
            onChange={(e) => setFind(e.currentTarget.value)}
            required
          />
          <TextInput
            label="Replace with"
            value={replacement}
            onChange={(e) => setReplacement(e.currentTarget.value)}
          />
          {fix.isError && (
            <Alert color="red" role="alert" title="Nothing was changed">
              {describeError(fix.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={find === '' || column === null} loading={fix.isPending}>
              Replace all
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A fix in words, for the history. */
export function describeFix(fix: ImportFix): string {
  const d = fix.details as {
    map?: Record<string, string>;
    find?: string;
    replace?: string;
    value?: string;
    suggestion?: string;
    row?: number;
    what?: string;
    name?: string;
    label?: string;
  };
  if (fix.kind === 'create') {
    if (d.what === 'attribute')
      return `${fix.column}: attribute "${d.label}" created and the column imported into it`;
    const words = d.what === 'role' ? 'portal role' : d.what;
    return `${fix.column}: ${words} "${d.name}" created`;
  }
  if (fix.kind === 'valueMap') {
    const pairs = Object.entries(d.map ?? {}).map(([from, to]) => `"${from}" → "${to}"`);
    return `${fix.column}: ${pairs.join(', ')}`;
  }
  if (fix.kind === 'replace') return `${fix.column}: "${d.find}" replaced by "${d.replace}" within cells`;
  const where = d.row === undefined ? 'every cell' : `row ${d.row}`;
  return `${fix.column}: suggestion "${d.suggestion}" for "${d.value}" (${where})`;
}

/** The fixes made so far, oldest first. */
export function FixHistory({ view }: { view: Import }) {
  const fixes = useQuery({ queryKey: ['import-fixes', view.id], queryFn: () => listFixes(view.id) });
  const items = fixes.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <Stack gap={4} data-testid="fix-history">
      <Title order={4}>Fixes made ({formatNumber(items.length)})</Title>
      <List size="sm" spacing={2}>
        {items.map((f) => (
          <List.Item key={f.id}>
            {describeFix(f)} · {plural(f.rowsChanged, 'row')} · {f.createdBy}, {formatDateTime(f.createdAt)}
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
