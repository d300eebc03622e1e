import {
  Alert,
  Anchor,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useParams } from 'wouter';
import { useCan, useSession } from '../auth/session';
import { describeError, HttpError } from '../lib/api';
import { ChangesCell, type FieldChange } from '../lib/Changes';
import { formatDateTime } from '../lib/format';
import { RecordsTable } from '../records/RecordsTable';
import { getUser, inviteUser, listEmails, listInvitations, listUserHistory, updateUser } from './api';
import { displayName, STATUS_COLORS } from './status';
import type { AttributeInfo, User } from './types';
import { toPatch, UserForm, type UserFormValues, valuesOf } from './UserForm';

const EMAIL_STATUS_COLORS: Record<string, string> = {
  queued: 'blue',
  sending: 'cyan',
  sent: 'green',
  failed: 'red',
};
const INVITATION_COLORS: Record<string, string> = {
  open: 'blue',
  used: 'green',
  expired: 'gray',
  revoked: 'gray',
};

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

/**
 * A tab's list as a table: a spinner while it loads, the error if that failed, `empty` when there is
 * nothing, else a row of `cells` per item under `headers`, with `footer` (when given) below the table.
 */
function TabTable<T extends { id: number | string }>({
  list,
  items,
  loadingLabel,
  empty,
  testId,
  minWidth,
  headers,
  cells,
  footer,
}: {
  list: { isPending: boolean; isError: boolean; error: unknown };
  items: T[] | undefined;
  loadingLabel?: string;
  empty: string;
  testId: string;
  minWidth: number;
  headers: string[];
  cells: (item: T) => ReactNode;
  footer?: ReactNode;
}) {
  if (list.isPending) return <Loader size="sm" aria-label={loadingLabel} />;
  if (list.isError) return <Alert color="red">{describeError(list.error)}</Alert>;
  if (!items || items.length === 0) return <Text c="dimmed">{empty}</Text>;
  const table = (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {headers.map((h) => (
              <Table.Th key={h}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.id}>{cells(item)}</Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
  if (footer === undefined) return table;
  return (
    <Stack gap="sm">
      {table}
      {footer}
    </Stack>
  );
}

function InvitationsTab({ userId }: { userId: number }) {
  const list = useQuery({
    queryKey: ['users', userId, 'invitations'],
    queryFn: () => listInvitations(userId),
  });
  return (
    <TabTable
      list={list}
      items={list.data}
      empty="No invitation has been sent to this user."
      testId="user-invitations"
      minWidth={640}
      headers={['Kind', 'Status', 'Sent by', 'Created', 'Expires', 'Closed']}
      cells={(i) => (
        <>
          <Table.Td>{i.purpose === 'activation' ? 'Activation' : 'Password reset'}</Table.Td>
          <Table.Td>
            <Badge variant="light" color={INVITATION_COLORS[i.status]}>
              {i.status}
            </Badge>
          </Table.Td>
          <Table.Td>
            {i.importId !== null ? (
              <Anchor component={Link} href={`/imports/${i.importId}`}>
                Import #{i.importId}
              </Anchor>
            ) : (
              i.createdBy
            )}
          </Table.Td>
          <Table.Td>{formatDateTime(i.createdAt)}</Table.Td>
          <Table.Td>{formatDateTime(i.expiresAt)}</Table.Td>
          <Table.Td>{formatDateTime(i.closedAt)}</Table.Td>
        </>
      )}
    />
  );
}

function EmailsTab({ userId }: { userId: number }) {
  const list = useQuery({ queryKey: ['users', userId, 'emails'], queryFn: () => listEmails(userId) });
  return (
    <TabTable
      list={list}
      items={list.data}
      empty="No email has been written to this user."
      testId="user-emails"
      minWidth={720}
      headers={['Subject', 'Status', 'Attempts', 'Written', 'Sent', 'Last error']}
      cells={(e) => (
        <>
          <Table.Td>{e.subject}</Table.Td>
          <Table.Td>
            <Badge variant="light" color={EMAIL_STATUS_COLORS[e.status]}>
              {e.status}
            </Badge>
          </Table.Td>
          <Table.Td>{e.attempts}</Table.Td>
          <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
          <Table.Td>{formatDateTime(e.sentAt)}</Table.Td>
          <Table.Td>
            <Text size="sm" c={e.lastError ? 'red' : 'dimmed'}>
              {e.lastError ?? '—'}
            </Text>
          </Table.Td>
        </>
      )}
    />
  );
}

const ACTION_LABELS: Record<string, string> = {
  'user.create': 'Created',
  'user.update': 'Changed',
  'user.disable': 'Disabled',
  'user.enable': 'Enabled',
  'user.delete': 'Deleted',
  'user.activate': 'Activated their account',
  'user.password_reset': 'Reset their password',
  'user.password_reset_requested': 'Asked for a password reset',
  'invitation.send': 'Invitation sent',
  'invitation.resend': 'Invitation sent again',
  'invitation.remind': 'Reminder sent',
  'import.commit': 'Import started',
  'import.completed': 'Import finished',
  'import.cancelled': 'Import cancelled',
  'import.failed': 'Import failed',
  'import.partly_committed': 'Import: first rows committed',
  'import.rollback': 'Import rollback asked',
  'import.rolled_back': 'Import rolled back',
};

/** An audit entry's details as "key: value" lines; lists joined, nested values as compact JSON. */
function AuditDetails({ details }: { details: Record<string, unknown> }) {
  // A change's diff (a user changed by hand, the API or an import) is drawn as before → after.
  const { changes, ...rest } = details;
  const diff = Array.isArray(changes) ? (changes as FieldChange[]) : null;
  const entries = Object.entries(diff ? rest : details);
  if (diff && diff.length > 0)
    return (
      <Stack gap={2}>
        <ChangesCell changes={diff} />
        {entries.length > 0 && <AuditDetails details={rest} />}
      </Stack>
    );
  if (entries.length === 0) return <>—</>;
  const show = (value: unknown) =>
    Array.isArray(value)
      ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')
      : typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : String(value);
  return (
    <Stack gap={0}>
      {entries.map(([key, value]) => (
        <Text key={key} size="xs" style={{ overflowWrap: 'anywhere' }}>
          <Text span c="dimmed" size="xs">
            {key}:
          </Text>{' '}
          {show(value)}
        </Text>
      ))}
    </Stack>
  );
}

function HistoryTab({ userId }: { userId: number }) {
  const list = useInfiniteQuery({
    queryKey: ['users', userId, 'history'],
    queryFn: ({ pageParam }) => listUserHistory(userId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return (
    <TabTable
      list={list}
      items={list.data?.pages.flatMap((p) => p.items)}
      loadingLabel="Loading the history"
      empty="Nothing recorded for this user yet."
      testId="user-history"
      minWidth={640}
      headers={['When', 'Who', 'What', 'Details']}
      cells={(a) => (
        <>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.at)}</Table.Td>
          <Table.Td>{a.actorLabel}</Table.Td>
          <Table.Td>
            {ACTION_LABELS[a.action] ?? a.action}
            {a.entityType === 'import' && a.entityId && (
              <>
                {' '}
                <Anchor component={Link} href={`/imports/${a.entityId}`} size="sm">
                  #{a.entityId}
                </Anchor>
              </>
            )}
          </Table.Td>
          <Table.Td>
            <AuditDetails details={a.details} />
          </Table.Td>
        </>
      )}
      footer={
        list.hasNextPage && (
          <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
            Older entries
          </Button>
        )
      }
    />
  );
}

function StatusActions({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = (updated?: User) => {
    if (updated) queryClient.setQueryData(['users', user.id], updated);
    queryClient.invalidateQueries({ queryKey: ['users'] });
  };
  const setStatus = useMutation({
    mutationFn: (status: User['status']) => updateUser(user.id, { status }),
    onSuccess: (updated) => {
      setConfirming(false);
      refresh(updated);
      notifications.show({
        color: updated.status === 'disabled' ? 'orange' : 'green',
        message:
          updated.status === 'disabled'
            ? `${displayName(updated)} is disabled and can no longer sign in to the portal.`
            : `${displayName(updated)} is enabled again (${updated.status}).`,
      });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not changed', message: describeError(e) }),
  });
  const invite = useMutation({
    mutationFn: () => inviteUser(user.id),
    onSuccess: () => {
      refresh();
      notifications.show({
        color: 'green',
        message: `An invitation to ${user.email} is on its way; any earlier link stops working.`,
      });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Not sent', message: describeError(e) }),
  });
  const invitable = user.status === 'pending' || user.status === 'expired';
  const disabled = user.status === 'disabled' || user.status === 'blocked';
  return (
    <Group gap="sm">
      {invitable && (
        <Button variant="light" onClick={() => invite.mutate()} loading={invite.isPending}>
          {user.status === 'expired' ? 'Resend invitation' : 'Send invitation'}
        </Button>
      )}
      {disabled ? (
        <Button
          variant="default"
          loading={setStatus.isPending}
          onClick={() => setStatus.mutate(user.activatedAt ? 'active' : 'pending')}
        >
          Enable
        </Button>
      ) : (
        <Button color="red" variant="outline" onClick={() => setConfirming(true)}>
          Disable
        </Button>
      )}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Disable ${displayName(user)}?`}>
        <Stack>
          <Text size="sm">
            They can no longer sign in to the portal, and their open invitation links stop working. Nothing
            else changes; you can enable them again at any time.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={setStatus.isPending} onClick={() => setStatus.mutate('disabled')}>
              Disable user
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}

/** One portal user: their details to view and change, status, invitations, emails and history. */
export function UserPage() {
  const params = useParams<{ id: string }>();
  const id = Number(params.id);
  const valid = Number.isInteger(id) && id > 0;
  const can = useCan();
  const me = useSession();
  const queryClient = useQueryClient();
  const user = useQuery({ queryKey: ['users', id], queryFn: () => getUser(id), enabled: valid });
  const save = useMutation({
    mutationFn: ({
      before,
      after,
      definitions,
    }: {
      before: UserFormValues;
      after: UserFormValues;
      definitions: AttributeInfo[];
    }) => updateUser(id, toPatch(before, after, definitions)),
    onSuccess: (updated) => {
      queryClient.setQueryData(['users', id], updated);
      queryClient.invalidateQueries({ queryKey: ['users'] });
      notifications.show({ color: 'green', message: 'Changes saved.' });
    },
  });

  const notFound = !valid || (user.error instanceof HttpError && user.error.status === 404);
  if (notFound) {
    return (
      <Stack align="flex-start">
        <Title order={2}>User not found</Title>
        <Alert color="gray" role="alert">
          There is no user #{params.id} among the users you can see. It may have been deleted, or belong to a
          customer outside your scope.
        </Alert>
        <Button component={Link} href="/users" variant="default">
          Back to users
        </Button>
      </Stack>
    );
  }
  if (user.isError) {
    return (
      <Alert color="red" title="Could not load the user" role="alert">
        {describeError(user.error)}
      </Alert>
    );
  }
  if (user.isPending) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }
  const u = user.data;
  const manage = can('users.manage');
  const initial = valuesOf(u);

  return (
    <Stack gap="md">
      <div>
        <Anchor component={Link} href="/users" size="sm">
          ← Users
        </Anchor>
        <Group justify="space-between" align="flex-start" gap="sm">
          <div style={{ minWidth: 0 }}>
            <Group gap="sm">
              <Title order={2} data-testid="user-name" style={{ overflowWrap: 'anywhere' }}>
                {displayName(u)}
              </Title>
              <Badge color={STATUS_COLORS[u.status]} variant="light" size="lg" data-testid="user-status">
                {u.status}
              </Badge>
            </Group>
            <Text c="dimmed" size="sm" style={{ overflowWrap: 'anywhere' }}>
              {u.email} · {u.username}
            </Text>
          </div>
          {manage && <StatusActions user={u} />}
        </Group>
      </div>
      <Paper withBorder p="md" radius="md">
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Fact label="Customer">{u.customer.name}</Fact>
          <Fact label="Site">{u.site.name}</Fact>
          <Fact label="Created">{formatDateTime(u.createdAt)}</Fact>
          <Fact label="Activated">{formatDateTime(u.activatedAt)}</Fact>
          <Fact label="Roles">{u.roles.length ? u.roles.map((r) => r.name).join(', ') : '—'}</Fact>
          <Fact label="Groups">{u.groups.length ? u.groups.map((g) => g.name).join(', ') : '—'}</Fact>
          <Fact label="Last changed">{formatDateTime(u.updatedAt)}</Fact>
          <Fact label="Created by">
            {u.createdByImportId !== null ? (
              <Anchor component={Link} href={`/imports/${u.createdByImportId}`}>
                Import #{u.createdByImportId}
              </Anchor>
            ) : (
              'Hand or API'
            )}
          </Fact>
          {u.importId !== null && u.importId !== u.createdByImportId && (
            <Fact label="Last changed by">
              <Anchor component={Link} href={`/imports/${u.importId}`}>
                Import #{u.importId}
              </Anchor>
            </Fact>
          )}
        </SimpleGrid>
      </Paper>
      <Tabs defaultValue="details" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="details">Details</Tabs.Tab>
          <Tabs.Tab value="invitations">Invitations</Tabs.Tab>
          <Tabs.Tab value="emails">Emails</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
          <Tabs.Tab value="records">Records</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          {!manage && (
            <Text c="dimmed" size="sm" mb="sm">
              Your role can look but not change users.
            </Text>
          )}
          <UserForm
            key={u.version}
            initial={initial}
            readOnly={!manage}
            submitLabel="Save changes"
            onSubmit={(after, definitions) => save.mutate({ before: initial, after, definitions })}
            pending={save.isPending}
            error={save.error}
            scopedCustomerId={me.admin.customerId}
          />
        </Tabs.Panel>
        <Tabs.Panel value="invitations" pt="md">
          <InvitationsTab userId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="emails" pt="md">
          <EmailsTab userId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <HistoryTab userId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="records" pt="md">
          <RecordsTable filter={{ ownerUserId: id }} showOwner={false} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
