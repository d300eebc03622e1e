import { Anchor, Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { describeError } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { fileUrl, importEmails, listCustomers } from './api';
import { formatBytes } from './labels';
import { describeOptions, type OptionSchema } from './options/schema';
import type { Import, ImportTarget } from './types';

const EMAIL_COLORS: Record<string, string> = {
  queued: 'gray',
  sending: 'blue',
  sent: 'green',
  failed: 'red',
};

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={160} fw={500} c="dimmed">
        {label}
      </Table.Th>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };
const ENCODING_NAMES: Record<string, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 LE',
  'utf-16be': 'UTF-16 BE',
  'windows-1252': 'Windows-1252',
  macintosh: 'Mac Roman',
};

/**
 * How the file was read, from the import's `file.meta`: the sheet of a workbook (and the others
 * that hold data), the encoding, delimiter and line ending of a CSV file.
 */
export function describeReading(meta: Record<string, unknown>): string {
  const parts: string[] = [];
  const sheet = meta.sheet as { name?: unknown; otherSheetsWithData?: unknown } | null | undefined;
  if (sheet && typeof sheet.name === 'string') {
    const others = Array.isArray(sheet.otherSheetsWithData) ? (sheet.otherSheetsWithData as string[]) : [];
    parts.push(
      `sheet "${sheet.name}"${others.length > 0 ? ` (also with data: ${others.map((o) => `"${o}"`).join(', ')})` : ''}`,
    );
  }
  if (typeof meta.encoding === 'string') parts.push(ENCODING_NAMES[meta.encoding] ?? meta.encoding);
  if (typeof meta.delimiter === 'string')
    parts.push(`${DELIMITER_NAMES[meta.delimiter] ?? meta.delimiter} delimited`);
  if (typeof meta.lineEnding === 'string') parts.push(`${meta.lineEnding} line endings`);
  if (typeof meta.invalidBytes === 'number' && meta.invalidBytes > 0)
    parts.push(`${meta.invalidBytes} invalid byte${meta.invalidBytes === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** Who ran the import, when, with which file, options and mapping; and the emails it caused. */
export function ImportDetails({ view, target }: { view: Import; target: ImportTarget | undefined }) {
  const customers = useQuery({ queryKey: ['customers', 'all'], queryFn: listCustomers, staleTime: 60_000 });
  const emails = useQuery({
    queryKey: ['import-emails', view.id],
    queryFn: () => importEmails(view.id),
    enabled: view.startedAt !== null,
  });
  const emailCount = Object.values(emails.data?.counts ?? {}).reduce((a, b) => a + b, 0);
  const o = view.options;
  const ownOptions = target?.options as OptionSchema | undefined;
  const fieldLabel = (key: string | null) =>
    key === null ? null : (target?.fields.find((f) => f.key === key)?.label ?? key);
  const reading = describeReading(view.file.meta);
  const customer =
    view.customerId === null
      ? 'From the file'
      : (customers.data?.find((c) => c.id === view.customerId)?.name ?? `#${view.customerId}`);

  return (
    <Stack gap="md">
      <Card withBorder padding="lg">
        <Title order={3} mb="sm">
          Details
        </Title>
        <Table data-testid="import-details" verticalSpacing={4}>
          <Table.Tbody>
            <Row label="Started by">
              {view.createdBy}, {formatDateTime(view.createdAt)}
            </Row>
            <Row label="File">
              <Anchor href={fileUrl(view.id, 'original', 'csv')} download>
                {view.file.name}
              </Anchor>{' '}
              <Text span size="sm" c="dimmed">
                ({formatBytes(view.file.size)}, {view.file.format.toUpperCase()}
                {reading ? `, ${reading}` : ''}, {formatNumber(view.rows.total)} rows)
              </Text>
            </Row>
            <Row label="Target">{target?.label ?? view.target}</Row>
            <Row label="Customer">{customer}</Row>
            <Row label="Options">
              Mode {o.mode} · empty cells {o.emptyCells === 'keep' ? 'kept' : 'cleared'} ·{' '}
              {[
                o.atomic ? 'all or nothing' : 'valid rows only',
                ...(o.dateOrder && o.dateOrder !== 'auto' ? [`dates ${o.dateOrder}`] : []),
                ...describeOptions(ownOptions, o.targetOptions),
              ].join(' · ')}
            </Row>
            <Row label="Mapping">
              <Group gap={6}>
                {view.mapping.columns.map((c) => (
                  <Badge
                    key={c.index}
                    variant="outline"
                    color={c.field ? 'indigo' : 'gray'}
                    tt="none"
                    maw="100%"
                    h="auto"
                    styles={{ label: { whiteSpace: 'normal', overflowWrap: 'anywhere' } }}
                  >
                    {c.header} → {fieldLabel(c.field) ?? 'ignored'}
                  </Badge>
                ))}
              </Group>
            </Row>
            {view.finishedAt && <Row label="Finished">{formatDateTime(view.finishedAt)}</Row>}
          </Table.Tbody>
        </Table>
      </Card>
      {/* The emails the import caused (invitations), once it wrote any. */}
      {emailCount > 0 && (
        <Card withBorder padding="lg" data-testid="import-emails">
          <Group justify="space-between" mb="sm">
            <Title order={3}>Emails</Title>
            {emails.data && (
              <Group gap={6}>
                {Object.entries(emails.data.counts).map(([status, n]) => (
                  <Badge key={status} color={EMAIL_COLORS[status] ?? 'gray'} variant="light">
                    {status} {formatNumber(n)}
                  </Badge>
                ))}
              </Group>
            )}
          </Group>
          {emails.isError && <Text c="red">{describeError(emails.error)}</Text>}
          {emails.data && emails.data.items.length > 0 && (
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>To</Table.Th>
                    <Table.Th>Subject</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Sent</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {emails.data.items.map((m) => (
                    <Table.Tr key={m.id}>
                      <Table.Td>{m.recipient}</Table.Td>
                      <Table.Td>{m.subject}</Table.Td>
                      <Table.Td>
                        <Badge color={EMAIL_COLORS[m.status] ?? 'gray'} variant="light" size="sm">
                          {m.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{formatDateTime(m.sentAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
      )}
    </Stack>
  );
}
