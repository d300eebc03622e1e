import { Badge, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../lib/api';
import { RECORD_TYPE_SINGULAR } from '../records/labels';
import type { RecordPage } from '../records/types';

/** The portal user's own records (customers, appointments, tasks, visit reports): read-only. */
export function PortalRecords() {
  const records = useQuery({
    queryKey: ['portal-records'],
    queryFn: () => get<RecordPage>('/api/v1/portal/records', { limit: 100 }),
  });
  if (!records.data) return null;
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700} mb={4}>
        Your records
      </Text>
      {records.data.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          None
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={4} aria-label="Your records" data-testid="portal-records">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Date</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {records.data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Badge variant="light">{RECORD_TYPE_SINGULAR[r.type]}</Badge>
                  </Table.Td>
                  <Table.Td>{r.title}</Table.Td>
                  <Table.Td>{r.date ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </div>
  );
}
