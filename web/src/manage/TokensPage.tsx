import { Alert, Button, Code, CopyButton, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useSession } from '../auth/session';
import { ConfirmDelete, type DeleteTarget } from '../lib/ConfirmDelete';
import { formatDate, formatDateTime, plural } from '../lib/format';
import { useFormState } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { ADMIN_ROLE_LABELS } from './AdminsPage';
import { createToken, listAdmins, listTokens, revokeToken } from './api';
import type { ApiToken, TokenCreated } from './types';
import { DataTable, FormModal, PageHeader, RowActions } from './ui';

const EMPTY = { name: '', adminId: '', expiresAt: '' };

/** The end of a day in the admin's own time zone, as the API's ISO timestamp. */
const endOfDay = (date: string) => new Date(`${date}T23:59:59`).toISOString();

/** API tokens: each acts as one admin, with that admin's role and scope. Secrets are shown once. */
export function TokensPage() {
  const me = useSession();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: listTokens });
  const admins = useQuery({ queryKey: ['admins'], queryFn: listAdmins });
  const adminOf = (id: number) => admins.data?.find((a) => a.id === id);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [showSecret, setShowSecret] = useState(false);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const form = useFormState(EMPTY);

  const open = () => {
    form.reset({ ...EMPTY, adminId: String(me.admin.id) });
    setCreating(true);
  };
  const create = useMutation({
    mutationFn: () =>
      createToken({
        name: form.values.name,
        adminId: Number(form.values.adminId),
        expiresAt: form.values.expiresAt ? endOfDay(form.values.expiresAt) : null,
      }),
    onSuccess: (answer) => {
      setCreating(false);
      setCreated(answer);
      setShowSecret(true);
      return queryClient.invalidateQueries({ queryKey: ['tokens'] });
    },
    onError: (error) => {
      form.fail(error);
    },
  });

  const columns: ColumnDef<ApiToken>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: ({ row }) => (
        <div>
          <Text fw={500}>{row.original.name}</Text>
          <Code>{row.original.prefix}…</Code>
        </div>
      ),
    },
    {
      id: 'admin',
      header: 'Acts as',
      cell: ({ row }) => {
        const admin = adminOf(row.original.adminId);
        return admin ? `${admin.name} (${ADMIN_ROLE_LABELS[admin.role]})` : `Admin #${row.original.adminId}`;
      },
    },
    { id: 'created', header: 'Created', cell: ({ row }) => formatDate(row.original.createdAt) },
    {
      id: 'expires',
      header: 'Expires',
      cell: ({ row }) => (row.original.expiresAt ? formatDateTime(row.original.expiresAt) : 'Never'),
    },
    {
      id: 'used',
      header: 'Last used',
      cell: ({ row }) => (row.original.lastUsedAt ? formatDateTime(row.original.lastUsedAt) : 'Never'),
    },
    {
      id: 'actions',
      header: '',
      cell: ({ row }) => (
        <RowActions name={row.original.name}>
          <Button
            size="compact-sm"
            variant="subtle"
            color="red"
            aria-label={`Revoke ${row.original.name}`}
            onClick={() =>
              setDeleting({
                verb: 'Revoke',
                what: `the token "${row.original.name}"`,
                detail: 'Scripts that use it are refused from then on.',
                run: () => revokeToken(row.original.id),
                afterwards: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
              })
            }
          >
            Revoke
          </Button>
        </RowActions>
      ),
    },
  ];

  return (
    <Stack gap="md">
      <PageHeader
        title="API tokens"
        subtitle={
          tokens.data
            ? `${plural(tokens.data.length, 'token')}. Send one as "Authorization: Bearer <token>"; it acts with its admin's role and customers.`
            : ' '
        }
        busy={tokens.isFetching}
        action={<Button onClick={open}>New token</Button>}
      />
      {tokens.isError && <LoadError what="API tokens" error={tokens.error} />}
      <DataTable
        data={tokens.data}
        columns={columns}
        rowId={(t) => String(t.id)}
        empty="No API tokens yet."
        testId="tokens-table"
        label="API tokens"
        minWidth={820}
      />
      <FormModal
        opened={creating}
        title="New API token"
        onClose={() => setCreating(false)}
        onSubmit={() => create.mutate()}
        pending={create.isPending}
        formError={form.formError}
        submitLabel="Create token"
      >
        <TextInput
          label="Name"
          description="What uses it, e.g. “Nightly CRM sync”."
          required
          data-autofocus
          value={form.values.name}
          onChange={(e) => form.set('name', e.currentTarget.value)}
          error={form.errors.name}
        />
        <Select
          label="Acts as"
          description="The token has this admin's role and customers."
          required
          allowDeselect={false}
          searchable
          data={(admins.data ?? []).map((a) => ({
            value: String(a.id),
            label: `${a.name} · ${ADMIN_ROLE_LABELS[a.role]}${a.disabled ? ' (disabled)' : ''}`,
          }))}
          value={form.values.adminId || null}
          onChange={(v) => v && form.set('adminId', v)}
          error={form.errors.adminId}
          comboboxProps={{ withinPortal: true }}
        />
        <TextInput
          label="Expires on"
          description="Optional: the token stops working at the end of this day. Empty: it never expires."
          type="date"
          value={form.values.expiresAt}
          onChange={(e) => form.set('expiresAt', e.currentTarget.value)}
          error={form.errors.expiresAt}
        />
      </FormModal>
      {/* The secret stays in memory only until the dialog closes or another token is made. */}
      <Modal
        opened={showSecret}
        onExitTransitionEnd={() => setCreated(null)}
        onClose={() => setShowSecret(false)}
        title={`Token "${created?.token.name ?? ''}" created`}
        size="lg"
        closeOnClickOutside={false}
      >
        <Stack>
          <Alert color="yellow" title="Copy it now" role="alert">
            You will not see this token again: only its fingerprint is stored. If it is lost, revoke it and
            create a new one.
          </Alert>
          <Code block data-testid="token-secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {created?.secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={created?.secret ?? ''} timeout={3000}>
              {({ copied, copy }) => (
                <Button color={copied ? 'teal' : undefined} onClick={copy}>
                  {copied ? 'Copied' : 'Copy token'}
                </Button>
              )}
            </CopyButton>
            <Button variant="default" onClick={() => setShowSecret(false)}>
              I have copied it
            </Button>
          </Group>
        </Stack>
      </Modal>
      <ConfirmDelete target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
