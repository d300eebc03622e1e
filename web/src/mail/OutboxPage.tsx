import {
  Alert,
  Anchor,
  Badge,
  Button,
  CloseButton,
  Group,
  Loader,
  MultiSelect,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
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
import { Link, useSearchParams } from 'wouter';
import { useCan } from '../auth/session';
import { describeError } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { options, useCustomers } from '../users/directory';
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

const idParam = (value: string | null) => {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : undefined;
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
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '')
    .split(',')
    .filter((s): s is EmailStatus => (STATUSES as string[]).includes(s));
  const customerId = idParam(params.get('customerId'));
  const importId = idParam(params.get('importId'));
  const customers = useCustomers();

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [key, value] of Object.entries(changes)) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        return next;
      },
      { replace: true },
    );

  const filter = {
    ...(status.length > 0 && { status }),
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
        <MultiSelect
          label="Status"
          placeholder={status.length === 0 ? 'Any status' : undefined}
          data={STATUSES}
          value={status}
          onChange={(v) => update({ status: v.join(',') || null })}
          clearable
        />
        <Select
          label="Customer"
          placeholder="Any customer"
          data={options(customers.data)}
          value={customerId ? String(customerId) : null}
          onChange={(v) => update({ customerId: v })}
          searchable
          clearable
        />
      </SimpleGrid>
      {importId && (
        <Group>
          <Badge
            variant="light"
            size="lg"
            rightSection={
              <CloseButton
                size="xs"
                aria-label="Show email of every import"
                onClick={() => update({ importId: null })}
              />
            }
          >
            Email of import #{importId}
          </Badge>
        </Group>
      )}
      {outbox.isError && (
        <Alert color="red" title="Could not load the outbox" role="alert">
          {describeError(outbox.error)}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={900}>
        <Table striped verticalSpacing="xs" data-testid="outbox-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Written</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last error</Table.Th>
              <Table.Th>Sent</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {emails.map((e) => (
              <Table.Tr key={e.id}>
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
                <Table.Td>
                  {manage && (e.kind === 'invitation' || e.kind === 'reminder') && e.userId !== null && (
                    <ResendButton email={e} />
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            {outbox.isSuccess && emails.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={8}>
                  <Text c="dimmed" ta="center" py="md">
                    No email matches.
                  </Text>
                </Table.Td>
              </Table.Tr>
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
