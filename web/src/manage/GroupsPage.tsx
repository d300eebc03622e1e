import { Badge, Button, MultiSelect, Group as Row, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useCan } from '../auth/session';
import { ConfirmDelete } from '../lib/ConfirmDelete';
import { plural } from '../lib/format';
import { textFieldProps } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { createGroup, deleteGroup, listGroups, listRoles, updateGroup } from './api';
import { useEditDialogs } from './edit-dialogs';
import type { Group } from './types';
import { createdColumn, DataTable, editDeleteColumn, FormModal, PageHeader } from './ui';

const EMPTY = { name: '', description: '', roleIds: [] as string[] };

/** Groups: named sets of portal roles that users belong to. */
export function GroupsPage() {
  const can = useCan();
  const canChange = can('config.manage');
  const groups = useQuery({ queryKey: ['groups'], queryFn: listGroups });
  const roles = useQuery({ queryKey: ['roles'], queryFn: listRoles });
  const roleName = (id: number) => roles.data?.find((r) => r.id === id)?.name ?? `Role #${id}`;
  const dialogs = useEditDialogs({
    valuesOf: (group: Group | 'new') =>
      group === 'new'
        ? EMPTY
        : { name: group.name, description: group.description, roleIds: group.roleIds.map(String) },
    save: (values, group) => {
      const body = { ...values, roleIds: values.roleIds.map(Number) };
      return group === null ? createGroup(body) : updateGroup(group.id, body);
    },
    savedMessage: (group) => `Group "${group.name}" saved.`,
    listKey: ['groups'],
  });
  const { form, editing } = dialogs;

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
    createdColumn(),
    editDeleteColumn({
      show: canChange,
      name: (group) => group.name,
      onEdit: dialogs.open,
      onDelete: dialogs.askDelete,
      deleteTarget: (group) => ({
        what: `the group "${group.name}"`,
        run: () => deleteGroup(group.id),
        afterwards: dialogs.refresh,
      }),
    }),
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
        action={canChange && <Button onClick={() => dialogs.open('new')}>New group</Button>}
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
        {...dialogs.formModalProps}
        title={editing === 'new' ? 'New group' : `Edit group "${editing?.name ?? ''}"`}
      >
        <TextInput label="Name" required data-autofocus {...textFieldProps(form, 'name')} />
        <Textarea label="Description" autosize minRows={2} {...textFieldProps(form, 'description')} />
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
      <ConfirmDelete {...dialogs.confirmDeleteProps} />
    </Stack>
  );
}
