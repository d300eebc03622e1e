import { Anchor, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import { useSession } from '../auth/session';
import { createUser } from './api';
import { displayName } from './status';
import type { AttributeInfo } from './types';
import { emptyValues, toInput, UserForm, type UserFormValues } from './UserForm';

/** Creates one portal user by hand; the new user is pending until invited and activated. */
export function UserCreatePage() {
  const me = useSession();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: ({ values, definitions }: { values: UserFormValues; definitions: AttributeInfo[] }) =>
      createUser(toInput(values, definitions)),
    onSuccess: (user) => {
      queryClient.invalidateQueries({ queryKey: ['users'] });
      notifications.show({
        color: 'green',
        title: 'User created',
        message: `${displayName(user)} is pending: send the invitation from their page when you are ready.`,
      });
      navigate(`/users/${user.id}`);
    },
  });

  return (
    <Stack gap="md" maw={960}>
      <div>
        <Anchor component={Link} href="/users" size="sm">
          ← Users
        </Anchor>
        <Title order={2}>New user</Title>
        <Text c="dimmed" size="sm">
          The user starts as pending. Sending the invitation is a separate step on their page.
        </Text>
      </div>
      <Paper withBorder p="md" radius="md">
        <UserForm
          initial={emptyValues(me.admin.customerId)}
          readOnly={false}
          submitLabel="Create user"
          onSubmit={(values, definitions) => create.mutate({ values, definitions })}
          pending={create.isPending}
          error={create.error}
          scopedCustomerId={me.admin.customerId}
        />
      </Paper>
    </Stack>
  );
}
