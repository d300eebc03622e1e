import {
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  MultiSelect,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { Link } from 'wouter';
import { useCan } from '../auth/session';
import { listImports } from '../imports/api';
import { describeError } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { LoadError } from '../lib/LoadError';
import { usePhone } from '../lib/responsive';
import { EmptyTableRow } from '../lib/table-rows';
import { idParam, useQueryParams, useSearchBox } from '../lib/url-params';
import { CustomerFilter } from '../users/IdSelect';
import { listOutbox, pauseSending, resendInvitation, resumeSending, sendingStatus } from './api';
import type { EmailInfo, EmailStatus } from './types';

const STATUSES: EmailStatus[] = ['queued', 'sending', 'sent', 'failed'];
const STATUS_COLORS: Record<EmailStatus, string> = {
  queued: 'blue',
  sending: 'cyan',
  sent: 'green',
  failed: 'red',
};
const KIND_LABELS: Record<string, string> = {
  invitation: 'Invitation',
  reminder: 'Reminder',
  password_reset: 'Password reset',
  import_finished: 'Import finished',
};

/** Sending as a whole, for administrators: transport, rate, and pause or resume. */
function SendingControl() {
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: ['mail-status'], queryFn: sendingStatus, refetchInterval: 10_000 });
  const toggle = useMutation({
    mutationFn: (pause: boolean) => (pause ? pauseSending() : resumeSending()),
    onSuccess: (answer) => {
      queryClient.setQueryData(['mail-status'], answer);
      notifications.show({
        color: answer.paused ? 'orange' : 'green',
        message: answer.paused
          ? 'Sending is paused. Queued email waits until you resume; nothing is lost.'
          : 'Sending resumed.',
      });
    },
    onError: (e) => notifications.show({ color: 'red', message: describeError(e) }),
  });
  if (!status.data) return null;
  const s = status.data;
  return (
    <Paper withBorder p="sm" radius="md" data-testid="sending-status">
      <Group justify="space-between" gap="sm">
        <div>
          <Group gap="xs">
            <Text fw={600}>Sending</Text>
            <Badge color={s.paused ? 'orange' : 'green'} variant="light">
              {s.paused ? 'paused' : 'running'}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {s.transport === 'smtp' ? 'Over SMTP' : 'To the local mailbox'} · from {s.from} · up to{' '}
            {formatNumber(s.ratePerMinute)} per minute · {s.maxAttempts} attempts at most
          </Text>
        </div>
        <Button
          variant={s.paused ? 'filled' : 'default'}
          onClick={() => toggle.mutate(!s.paused)}
          loading={toggle.isPending}
        >
          {s.paused ? 'Resume sending' : 'Pause sending'}
        </Button>
      </Group>
    </Paper>
  );
}

function ResendButton({ email }: { email: EmailInfo }) {
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => resendInvitation(email.userId!),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['outbox'] });
      notifications.show({
        color: 'green',
        message: `A new invitation to ${email.recipient} is queued; the earlier link stops working.`,
      });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not resent', message: describeError(e) }),
  });
  return (
    <Button size="compact-xs" variant="light" onClick={() => resend.mutate()} loading={resend.isPending}>
      Resend
    </Button>
  );
}

/** Every email Roster wrote, with its status, attempts and last error; filters live in the address. */
export function OutboxPage() {
  const can = useCan();
  const [params, update] = useQueryParams();
  const status = (params.get('status') ?? '')
    .split(',')
    .filter((s): s is EmailStatus => (STATUSES as string[]).includes(s));
  const kind = (params.get('kind') ?? '').split(',').filter((k) => k in KIND_LABELS);
  const recipient = params.get('recipient') ?? '';
  const customerId = idParam(params.get('customerId'));
  const importId = idParam(params.get('importId'));
  const canReadImports = can('imports.read');
  // The newest imports to pick from; an import named in the address is offered even when older.
  const imports = useQuery({
    queryKey: ['imports', 'picker'],
    queryFn: () => listImports(),
    enabled: canReadImports,
    staleTime: 30_000,
  });
  const importOptions = (imports.data?.items ?? []).map((i) => ({
    value: String(i.id),
    label: `#${i.id} ${i.file.name}`,
  }));
  if (importId && !importOptions.some((o) => o.value === String(importId))) {
    importOptions.unshift({ value: String(importId), label: `Import #${importId}` });
  }

  const recipientBox = useSearchBox('recipient', params, update);

  const filter = {
    ...(status.length > 0 && { status }),
    ...(kind.length > 0 && { kind }),
    ...(recipient && { recipient }),
    ...(customerId && { customerId }),
    ...(importId && { importId }),
  };
  const outbox = useInfiniteQuery({
    queryKey: ['outbox', filter],
    queryFn: ({ pageParam }) => listOutbox({ ...filter, ...(pageParam && { cursor: pageParam }) }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const emails = outbox.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = outbox.data?.pages[0]?.counts;
  const manage = can('users.manage');
  // On a phone the actions come first, as in every table of the console (see lib/responsive).
  const phone = usePhone();
  const actionsHeader = (
    <Table.Th>
      <VisuallyHidden>Actions</VisuallyHidden>
    </Table.Th>
  );
  const actionsCell = (e: EmailInfo) => (
    <Table.Td>
      {manage && (e.kind === 'invitation' || e.kind === 'reminder') && e.userId !== null && (
        <ResendButton email={e} />
      )}
    </Table.Td>
  );

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Outbox</Title>
          <Text c="dimmed" size="sm">
            Every email written, newest first. Failed email is retried with back-off until its attempts run
            out.
          </Text>
        </div>
        {outbox.isFetching && <Loader size="sm" aria-label="Loading emails" />}
      </Group>
      {can('config.manage') && <SendingControl />}
      {counts && (
        <Group gap="xs" data-testid="outbox-counts">
          {STATUSES.map((s) => (
            <Badge key={s} color={STATUS_COLORS[s]} variant="light" size="lg">
              {s}: {formatNumber(counts[s])}
            </Badge>
          ))}
        </Group>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
        <TextInput
          label="Recipient"
          placeholder="Start of the address or name"
          {...recipientBox.inputProps}
        />
        <MultiSelect
          label="Kind"
          placeholder={kind.length === 0 ? 'Any kind' : undefined}
          data={Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }))}
          value={kind}
          onChange={(v) => update({ kind: v.join(',') || null })}
          clearable
        />
        <MultiSelect
          label="Status"
          placeholder={status.length === 0 ? 'Any status' : undefined}
          data={STATUSES}
          value={status}
          onChange={(v) => update({ status: v.join(',') || null })}
          clearable
        />
        <CustomerFilter selectedId={customerId} onPick={(v) => update({ customerId: v })} />
        {(canReadImports || importId) && (
          <Select
            label="Import"
            placeholder="Any import"
            data={importOptions}
            value={importId ? String(importId) : null}
            onChange={(v) => update({ importId: v })}
            searchable
            clearable
            nothingFoundMessage="No recent import matches."
            data-testid="outbox-import-filter"
          />
        )}
      </SimpleGrid>
      {outbox.isError && <LoadError what="the outbox" error={outbox.error} />}
      <Table.ScrollContainer minWidth={900}>
        <Table striped verticalSpacing="xs" data-testid="outbox-table">
          <Table.Thead>
            <Table.Tr>
              {phone && actionsHeader}
              <Table.Th>Written</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last error</Table.Th>
              <Table.Th>Sent</Table.Th>
              {!phone && actionsHeader}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {emails.map((e) => (
              <Table.Tr key={e.id}>
                {phone && actionsCell(e)}
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt)}</Table.Td>
                <Table.Td>
                  {e.userId !== null ? (
                    <Anchor component={Link} href={`/users/${e.userId}`} size="sm">
                      {e.recipient}
                    </Anchor>
                  ) : (
                    <Text size="sm">{e.recipient}</Text>
                  )}
                  <Text size="xs" c="dimmed">
                    {e.subject}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{KIND_LABELS[e.kind] ?? e.kind}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Badge color={STATUS_COLORS[e.status]} variant="light" miw="max-content">
                    {e.status}
                  </Badge>
                  {e.nextAttemptAt && e.attempts > 0 && (
                    <Text size="xs" c="dimmed">
                      next try {formatDateTime(e.nextAttemptAt)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{e.attempts}</Table.Td>
                <Table.Td>
                  <Text size="sm" c={e.lastError ? 'red' : 'dimmed'} style={{ overflowWrap: 'anywhere' }}>
                    {e.lastError ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.sentAt)}</Table.Td>
                {!phone && actionsCell(e)}
              </Table.Tr>
            ))}
            {outbox.isSuccess && emails.length === 0 && (
              <EmptyTableRow columns={8}>No email matches.</EmptyTableRow>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {outbox.hasNextPage && (
        <Button variant="default" onClick={() => outbox.fetchNextPage()} loading={outbox.isFetchingNextPage}>
          Older email
        </Button>
      )}
    </Stack>
  );
}
