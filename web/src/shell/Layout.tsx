import {
  ActionIcon,
  AppShell,
  Burger,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Title,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { logout } from '../auth/api';
import { useCan, useSession } from '../auth/session';
import type { AdminInfo } from '../auth/types';
import { navLinks } from '../features';
import { get } from '../lib/api';
import { headerSlots } from './slots';

const ROLE_LABELS: Record<AdminInfo['role'], string> = {
  administrator: 'Administrator',
  user_admin: 'User admin',
  viewer: 'Viewer',
};

/** The customer a scoped admin is limited to, by name. */
function useScopeName(customerId: number | null): string | null {
  const customer = useQuery({
    queryKey: ['customers', customerId],
    queryFn: () => get<{ name: string }>(`/api/v1/customers/${customerId}`),
    enabled: customerId !== null,
    staleTime: 60_000,
  });
  if (customerId === null) return null;
  return customer.data?.name ?? `Customer #${customerId}`;
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={`Switch to ${next} mode`}
        onClick={() => setColorScheme(next)}
      >
        <span aria-hidden="true">{scheme === 'dark' ? '☀' : '☾'}</span>
      </ActionIcon>
    </Tooltip>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const me = useSession();
  const can = useCan();
  const queryClient = useQueryClient();
  const [location, navigate] = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const [leaving, setLeaving] = useState(false);
  const scope = useScopeName(me.admin.customerId);

  const signOut = async () => {
    setLeaving(true);
    try {
      await logout();
    } finally {
      queryClient.clear();
      queryClient.setQueryData(['me'], null);
      navigate('/login', { replace: true });
      setLeaving(false);
    }
  };

  const links = navLinks.filter((l) => !l.permission || can(l.permission));
  // The link that matches the most of the address is the current one (`/imports/new` over `/imports`).
  const matches = (to: string) => location === to || location.startsWith(`${to}/`);
  const current = links.filter((l) => matches(l.to)).sort((a, b) => b.to.length - a.to.length)[0]?.to;
  const sections = [...new Set(links.map((l) => l.section))];

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={3}>Roster</Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {headerSlots.map((Slot) => (
              <Slot key={Slot.name} />
            ))}
            <ColorSchemeToggle />
            <Stack gap={0} align="flex-end" visibleFrom="xs">
              <Text size="sm" fw={500} lh={1.2} truncate maw={180} data-testid="admin-name">
                {me.admin.name}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2} truncate maw={220} data-testid="admin-role">
                {ROLE_LABELS[me.admin.role]}
                {scope ? ` · ${scope}` : ''}
              </Text>
            </Stack>
            <Button variant="default" size="xs" onClick={signOut} loading={leaving}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <ScrollArea>
          {sections.map((section) => (
            <Stack key={section} gap={0} mb="sm">
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" py={4}>
                {section}
              </Text>
              {links
                .filter((l) => l.section === section)
                .map((l) => (
                  <NavLink
                    key={l.to}
                    component={Link}
                    href={l.to}
                    label={l.label}
                    active={l.to === current}
                    onClick={close}
                  />
                ))}
            </Stack>
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
