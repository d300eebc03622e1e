import { Badge, Button, MultiSelect, Group as Row, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useCan } from '../auth/session';
import { ConfirmDelete, type DeleteTarget } from '../lib/ConfirmDelete';
import { formatDate, plural } from '../lib/format';
import { useFormState } from '../lib/forms';
import { createGroup, deleteGroup, listGroups, listRoles, updateGroup } from './api';
import type { Group } from './types';
import { DataTable, FormModal, LoadError, PageHeader, RowActions } from './ui';

const EMPTY = { name: '', description: '', roleIds: [] as string[] };

/** Groups: named sets of portal roles that users belong to. */
export function GroupsPage() {
  const can = useCan();
  const canChange = can('config.manage');
  const queryClient = useQueryClient();
  const groups = useQuery({ queryKey: ['groups'], queryFn: listGroups });
  const roles = useQuery({ queryKey: ['roles'], queryFn: listRoles });
  const roleName = (id: number) => roles.data?.find((r) => r.id === id)?.name ?? `Role #${id}`;
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const form = useFormState(EMPTY);

  const open = (group: Group | 'new') => {
    form.reset(
      group === 'new'
        ? EMPTY
        : { name: group.name, description: group.description, roleIds: group.roleIds.map(String) },
    );
    setEditing(group);
  };
  const save = useMutation({
    mutationFn: () => {
      const body = { ...form.values, roleIds: form.values.roleIds.map(Number) };
      return editing === 'new' || editing === null ? createGroup(body) : updateGroup(editing.id, body);
    },
    onSuccess: (group) => {
      notifications.show({ color: 'green', message: `Group "${group.name}" saved.` });
      setEditing(null);
      return queryClient.invalidateQueries({ queryKey: ['groups'] });
    },
    onError: form.fail,
  });

  const columns: ColumnDef<Group>[] = [
    { id: 'name', header: 'Name', cell: ({ row }) => <Text fw={500}>{row.original.name}</Text> },
    { id: 'description', header: 'Description', accessorKey: 'description' },
    {
      id: 'roles',
      header: 'Roles',
      cell: ({ row }) =>
        row.original.roleIds.length === 0 ? (
          <Text c="dimmed" size="sm">
            —
          </Text>
        ) : (
          <Row gap={4}>
            {row.original.roleIds.map((id) => (
              <Badge key={id} variant="outline" size="sm">
                {roleName(id)}
              </Badge>
            ))}
          </Row>
        ),
    },
    { id: 'created', header: 'Created', cell: ({ row }) => formatDate(row.original.createdAt) },
    {
      id: 'actions',
      header: '',
      cell: ({ row }) =>
        canChange && (
          <RowActions
            name={row.original.name}
            onEdit={() => open(row.original)}
            onDelete={() =>
              setDeleting({
                what: `the group "${row.original.name}"`,
                run: () => deleteGroup(row.original.id),
                afterwards: () => queryClient.invalidateQueries({ queryKey: ['groups'] }),
              })
            }
          />
        ),
    },
  ];

  return (
    <Stack gap="md">
      <PageHeader
        title="Groups"
        subtitle={
          groups.data
            ? `${plural(groups.data.length, 'group')}. A group gives its roles to its members.`
            : ' '
        }
        busy={groups.isFetching}
        action={canChange && <Button onClick={() => open('new')}>New group</Button>}
      />
      {groups.isError && <LoadError what="groups" error={groups.error} />}
      <DataTable
        data={groups.data}
        columns={columns}
        rowId={(g) => String(g.id)}
        empty="No groups yet."
        testId="groups-table"
        label="Groups"
      />
      <FormModal
        opened={editing !== null}
        title={editing === 'new' ? 'New group' : `Edit group "${editing?.name ?? ''}"`}
        onClose={() => setEditing(null)}
        onSubmit={() => save.mutate()}
        pending={save.isPending}
        formError={form.formError}
      >
        <TextInput
          label="Name"
          required
          data-autofocus
          value={form.values.name}
          onChange={(e) => form.set('name', e.currentTarget.value)}
          error={form.errors.name}
        />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={form.values.description}
          onChange={(e) => form.set('description', e.currentTarget.value)}
          error={form.errors.description}
        />
        <MultiSelect
          label="Roles"
          description="Members of the group hold these portal roles."
          placeholder={form.values.roleIds.length === 0 ? 'Pick roles' : undefined}
          data={(roles.data ?? []).map((r) => ({
            value: String(r.id),
            label: r.active ? r.name : `${r.name} (inactive)`,
          }))}
          value={form.values.roleIds}
          onChange={(v) => form.set('roleIds', v)}
          error={form.errors.roleIds}
          searchable
          nothingFoundMessage="No role matches."
          comboboxProps={{ withinPortal: true }}
        />
      </FormModal>
      <ConfirmDelete target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
