import { AppShell, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { logout } from './api';
import { navigate } from './router';
import type { MeAnswer } from './types';

const ROLE_LABELS: Record<MeAnswer['admin']['role'], string> = {
  administrator: 'Administrator',
  user_admin: 'User admin',
  viewer: 'Viewer',
};

export function Layout({ me, children }: { me: MeAnswer; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [leaving, setLeaving] = useState(false);
  const signOut = async () => {
    setLeaving(true);
    try {
      await logout();
    } finally {
      queryClient.clear();
      queryClient.setQueryData(['me'], null);
      navigate('/login', true);
      setLeaving(false);
    }
  };

  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Title order={3}>Roster</Title>
          <Group gap="sm" wrap="nowrap">
            <Stack gap={0} align="flex-end">
              <Text size="sm" fw={500} lh={1.2} truncate maw={180} data-testid="admin-name">
                {me.admin.name}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2} data-testid="admin-role">
                {ROLE_LABELS[me.admin.role]}
              </Text>
            </Stack>
            <Button variant="default" size="xs" onClick={signOut} loading={leaving}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
