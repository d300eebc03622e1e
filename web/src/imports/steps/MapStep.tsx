import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/api';
import { listConfigs, listRows, saveConfigOf, setMapping, setOptions } from '../api';
import type { Import, ImportTarget, MappingColumn } from '../types';
import { ReadChoicesForm } from './ReadChoicesForm';

const IGNORE = '__ignore__';

/** Why a column was matched to its field, in words. */
const MATCH_WORDS: Record<NonNullable<MappingColumn['match']>, string> = {
  exact: 'Same name',
  normalized: 'Same name',
  synonym: 'Known synonym',
  close: 'Similar spelling',
  manual: 'Chosen by hand',
};

/** How sure a match is, as a colour: a similar spelling deserves a look. */
function matchColor(match: NonNullable<MappingColumn['match']>): string {
  if (match === 'exact' || match === 'normalized') return 'green';
  if (match === 'synonym') return 'teal';
  return 'yellow';
}

/** Badges that wrap rather than cut their words in a narrow cell. */
const BADGE = {
  tt: 'none',
  h: 'auto',
  maw: '100%',
  styles: { label: { whiteSpace: 'normal', overflowWrap: 'anywhere' } },
} as const;

/** Rows read for sample values, and the samples shown per column. */
const SAMPLE_ROWS = 20;
const SAMPLES = 3;

/** Up to three distinct, non-empty values of each column from the file's first rows. */
function samplesOf(rows: readonly { cells: readonly string[] }[], columns: number): string[][] {
  return Array.from({ length: columns }, (_, i) => {
    const seen = new Set<string>();
    for (const r of rows) {
      const v = (r.cells[i] ?? '').trim();
      if (v !== '') seen.add(v);
      if (seen.size === SAMPLES) break;
    }
    return [...seen];
  });
}

/** Step 4: which field each column of the file fills; required fields must all have a column. */
export function MapStep({
  view,
  target,
  canRun,
  onNext,
}: {
  view: Import;
  target: ImportTarget;
  canRun: boolean;
  onNext: () => void;
}) {
  const queryClient = useQueryClient();
  const saved = view.mapping.columns.map((c) => c.field);
  const [columns, setColumns] = useState<(string | null)[]>(saved);
  const [configName, setConfigName] = useState('');
  const [configId, setConfigId] = useState<string | null>(null);
  const dirty = columns.some((f, i) => f !== saved[i]);

  const configs = useQuery({ queryKey: ['import-configs'], queryFn: listConfigs, enabled: canRun });
  const firstRows = useQuery({
    queryKey: ['import-rows', view.id, 'samples'],
    queryFn: () => listRows(view.id, { filter: 'all', limit: SAMPLE_ROWS }),
    staleTime: 60_000,
  });
  const samples = samplesOf(firstRows.data?.items ?? [], view.header.length);
  // A phone has no room for three columns: why a column matched goes under its samples.
  const narrow = useMediaQuery('(max-width: 48em)') ?? false;
  const ownConfigs = (configs.data ?? []).filter((c) => c.target === view.target);

  const applied = (next: Import) => {
    queryClient.setQueryData(['import', view.id], next);
    queryClient.invalidateQueries({ queryKey: ['import-rows', view.id] });
    setColumns(next.mapping.columns.map((c) => c.field));
  };
  const saveMapping = useMutation({
    mutationFn: () => setMapping(view.id, columns),
    onSuccess: (next) => {
      applied(next);
      onNext();
    },
  });
  const loadConfig = useMutation({
    mutationFn: async () => {
      const config = ownConfigs.find((c) => String(c.id) === configId);
      if (!config) throw new Error('Choose a saved configuration first.');
      const byHeader = view.header.map((h, i) =>
        h in config.mapping ? (config.mapping[h] ?? null) : columns[i],
      );
      await setMapping(
        view.id,
        byHeader.map((f) => f ?? null),
      );
      const { customerId: _ignored, ...options } = config.options;
      return { next: await setOptions(view.id, options), name: config.name };
    },
    onSuccess: ({ next, name }) => {
      applied(next);
      notifications.show({ message: `Configuration "${name}" loaded: its mapping and options apply.` });
    },
  });
  const saveConfig = useMutation({
    mutationFn: async () => {
      if (dirty) applied(await setMapping(view.id, columns));
      return saveConfigOf(view.id, configName.trim());
    },
    onSuccess: (config) => {
      setConfigName('');
      queryClient.invalidateQueries({ queryKey: ['import-configs'] });
      notifications.show({ message: `Saved as "${config.name}".`, color: 'green' });
    },
  });

  const used = new Set(columns.filter((f): f is string => f !== null));
  const missing = target.fields.filter((f) => f.required && !used.has(f.key));
  const fieldOptions = target.fields.map((f) => ({
    value: f.key,
    label: `${f.label}${f.required ? ' (required)' : ''}`,
  }));

  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Title order={3}>Map columns to fields</Title>
        <Text size="sm">
          Each column of your file was matched to a field where its name allows. Check the matches, change any
          that are wrong; columns left on "Ignore" are not imported.
        </Text>
        {/* Drawn anew for each state of the import: its pickers start from what was read last. */}
        <ReadChoicesForm key={view.updatedAt} view={view} canRun={canRun} onReread={applied} />
        <Table.ScrollContainer minWidth={narrow ? 0 : 560}>
          <Table verticalSpacing="xs" data-testid="mapping-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Column in your file (sample values)</Table.Th>
                <Table.Th>Field</Table.Th>
                {!narrow && <Table.Th>Why</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {view.header.map((header, i) => {
                const auto = view.mapping.columns[i];
                const field = columns[i] ?? null;
                const unchanged = field === (saved[i] ?? null);
                const why =
                  field === null ? (
                    <Badge color="gray" variant="light" {...BADGE}>
                      Ignored
                    </Badge>
                  ) : unchanged && auto?.match ? (
                    <Badge color={matchColor(auto.match)} variant="light" {...BADGE} data-match={auto.match}>
                      {MATCH_WORDS[auto.match]}
                    </Badge>
                  ) : (
                    <Badge color="indigo" variant="light" {...BADGE}>
                      Chosen by hand
                    </Badge>
                  );
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a file may repeat a header; the position is the column
                  <Table.Tr key={i}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>
                      <Text fw={500} size="sm">
                        {header || (
                          <Text span c="dimmed">
                            (no header, column {i + 1})
                          </Text>
                        )}
                      </Text>
                      <Text size="xs" c="dimmed" data-testid="column-samples" lineClamp={2}>
                        {(samples[i] ?? []).length > 0
                          ? `e.g. ${(samples[i] ?? []).map((v) => (v.length > 40 ? `${v.slice(0, 39)}…` : v)).join(' · ')}`
                          : firstRows.data
                            ? 'empty in the first rows'
                            : ' '}
                      </Text>
                      {narrow && <div style={{ marginTop: 4 }}>{why}</div>}
                    </Table.Td>
                    {/* On a phone the field gets most of the width: a field's name cut short hides which it is. */}
                    <Table.Td miw={narrow ? 160 : 220} w={narrow ? '60%' : undefined}>
                      <Select
                        aria-label={`Field for column ${header || i + 1}`}
                        data={[
                          { value: IGNORE, label: 'Ignore this column' },
                          ...fieldOptions.map((o) => ({
                            ...o,
                            disabled: o.value !== field && used.has(o.value),
                          })),
                        ]}
                        value={field ?? IGNORE}
                        onChange={(v) =>
                          setColumns((cs) =>
                            cs.map((c, j) => (j === i ? (v === IGNORE || v === null ? null : v) : c)),
                          )
                        }
                        allowDeselect={false}
                        disabled={!canRun}
                        searchable
                        size="sm"
                      />
                    </Table.Td>
                    {!narrow && <Table.Td>{why}</Table.Td>}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {missing.length > 0 ? (
          <Alert
            color="red"
            title="Required fields have no column"
            role="alert"
            data-testid="missing-required"
          >
            Choose a column for {missing.map((f) => f.label).join(', ')} to go on. If your file has no such
            column, add it (the template has every field).
          </Alert>
        ) : (
          <Text size="sm" c="dimmed">
            Every required field (
            {target.fields
              .filter((f) => f.required)
              .map((f) => f.label)
              .join(', ')}
            ) has a column.
          </Text>
        )}
        {canRun && (
          <Group align="flex-end" gap="sm" wrap="wrap">
            <Select
              label="Saved configuration"
              placeholder={ownConfigs.length ? 'Choose one' : 'None saved yet'}
              data={ownConfigs.map((c) => ({ value: String(c.id), label: c.name }))}
              value={configId}
              onChange={setConfigId}
              disabled={ownConfigs.length === 0}
              w={240}
            />
            <Button
              variant="default"
              onClick={() => loadConfig.mutate()}
              loading={loadConfig.isPending}
              disabled={!configId}
            >
              Load
            </Button>
            <TextInput
              label="Save this mapping and its options as"
              placeholder="e.g. Monthly HR export"
              value={configName}
              onChange={(e) => setConfigName(e.currentTarget.value)}
              w={260}
            />
            <Button
              variant="default"
              onClick={() => saveConfig.mutate()}
              loading={saveConfig.isPending}
              disabled={configName.trim() === '' || missing.length > 0}
            >
              Save configuration
            </Button>
          </Group>
        )}
        {[saveMapping, loadConfig, saveConfig].map(
          (m, i) =>
            m.isError && (
              // biome-ignore lint/suspicious/noArrayIndexKey: the three actions are fixed
              <Alert key={i} color="red" role="alert">
                {describeError(m.error)}
              </Alert>
            ),
        )}
        <Group justify="flex-end">
          <Button
            onClick={() => (dirty ? saveMapping.mutate() : onNext())}
            loading={saveMapping.isPending}
            disabled={missing.length > 0}
          >
            {dirty ? 'Apply mapping and continue' : 'Next: options'}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
