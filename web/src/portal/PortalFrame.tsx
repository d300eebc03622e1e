import { Center, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { portalInfo } from './api';

/** The portal's name from the API; a plain fallback until it answers (or if it cannot). */
export function usePortalName(): string {
  const info = useQuery({ queryKey: ['portal-info'], queryFn: portalInfo, staleTime: 5 * 60_000 });
  return info.data?.portalName ?? 'Customer portal';
}

/** A portal page: one card in the middle of the screen, titled with the portal's name. */
export function PortalFrame({
  title,
  children,
  width = 440,
  footer,
}: {
  title: string;
  children: ReactNode;
  width?: number;
  /** Links under the card, e.g. to sign in or to reset a password. */
  footer?: ReactNode;
}) {
  const portalName = usePortalName();
  useEffect(() => {
    document.title = `${title} · ${portalName}`;
  }, [title, portalName]);
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-body)">
      <Stack w="100%" maw={width} gap="sm">
        <Text fw={700} c="dimmed" ta="center" data-testid="portal-name">
          {portalName}
        </Text>
        <Paper withBorder shadow="sm" p={{ base: 'md', xs: 'xl' }} radius="md">
          <Stack gap="md">
            <Title order={2}>{title}</Title>
            {children}
          </Stack>
        </Paper>
        {footer && (
          <Text size="sm" c="dimmed" ta="center">
            {footer}
          </Text>
        )}
      </Stack>
    </Center>
  );
}

export function PortalLoader() {
  return (
    <Center mih="100vh">
      <Loader />
    </Center>
  );
}
