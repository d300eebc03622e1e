import {
  ActionIcon,
  Alert,
  Box,
  Button,
  Group,
  Indicator,
  Popover,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { describeError } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { listNotifications, markRead } from './api';
import type { NotificationItem, NotificationList } from './types';

/** Often enough to hear of a finished import soon, rarely enough to cost nothing. */
const POLL_MS = 15_000;

function BellIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <path
        d="M12 3a6 6 0 0 0-6 6v3.5L4.5 16h15L18 12.5V9a6 6 0 0 0-6-6Zm-2 15a2 2 0 0 0 4 0"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

function NotificationRow({ item, onOpen }: { item: NotificationItem; onOpen: () => void }) {
  const unread = item.readAt === null;
  return (
    <UnstyledButton
      onClick={onOpen}
      p="xs"
      w="100%"
      data-testid="notification"
      data-unread={unread || undefined}
      style={{
        borderRadius: 'var(--mantine-radius-sm)',
        background: unread ? 'var(--mantine-primary-color-light)' : undefined,
      }}
    >
      <Group gap={6} wrap="nowrap" align="flex-start">
        <Box
          mt={6}
          w={8}
          h={8}
          style={{
            flex: 'none',
            borderRadius: '50%',
            background: unread ? 'var(--mantine-primary-color-filled)' : 'transparent',
          }}
          aria-hidden="true"
        />
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text size="sm" fw={unread ? 600 : 400}>
            {item.title}
            {unread && <VisuallyHidden> (unread)</VisuallyHidden>}
          </Text>
          {item.body && (
            <Text size="xs" c="dimmed" lineClamp={2}>
              {item.body}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {formatDateTime(item.createdAt)}
            {item.importId !== null && ` · Import #${item.importId}`}
          </Text>
        </Stack>
      </Group>
    </UnstyledButton>
  );
}

/** The bell in the header: unread count, the newest notifications, each opening its import. */
export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const notifications = useQuery({
    queryKey: ['notifications'],
    queryFn: listNotifications,
    refetchInterval: POLL_MS,
    refetchOnWindowFocus: true,
  });
  const read = useMutation({
    mutationFn: markRead,
    onSuccess: (answer) => queryClient.setQueryData<NotificationList>(['notifications'], answer),
  });

  const unread = notifications.data?.unread ?? 0;
  const items = notifications.data?.items ?? [];
  const label = unread === 0 ? 'Notifications' : `Notifications, ${unread} unread`;

  const open = (item: NotificationItem) => {
    if (item.readAt === null) read.mutate([item.id]);
    setOpened(false);
    if (item.importId !== null) navigate(`/imports/${item.importId}`);
  };

  return (
    // The button and the dropdown carry their own ARIA: Mantine's would land on the Indicator's
    // wrapper, where aria-haspopup and aria-expanded are not allowed.
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      width={340}
      shadow="md"
      withArrow
      withRoles={false}
    >
      <Popover.Target>
        <Indicator
          label={unread > 99 ? '99+' : unread}
          size={18}
          color="red"
          disabled={unread === 0}
          offset={4}
          data-testid="bell-count"
        >
          <Tooltip label={label} disabled={opened}>
            <ActionIcon
              variant="default"
              size="lg"
              aria-label={label}
              aria-haspopup="dialog"
              aria-expanded={opened}
              onClick={() => setOpened((o) => !o)}
            >
              <BellIcon />
            </ActionIcon>
          </Tooltip>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p="xs" role="dialog" aria-label="Notifications">
        <Group justify="space-between" px={4} pb={6}>
          <Text fw={600} size="sm">
            Notifications
          </Text>
          <Button
            variant="subtle"
            size="compact-xs"
            disabled={unread === 0}
            loading={read.isPending}
            onClick={() => read.mutate('all')}
          >
            Mark all read
          </Button>
        </Group>
        {notifications.isError && (
          <Alert color="red" role="alert" p="xs">
            {describeError(notifications.error)}
          </Alert>
        )}
        {read.isError && (
          <Alert color="red" role="alert" p="xs">
            {describeError(read.error)}
          </Alert>
        )}
        {notifications.isSuccess && items.length === 0 && (
          <Text size="sm" c="dimmed" ta="center" py="md">
            No notifications yet. You hear here when an import you started ends.
          </Text>
        )}
        <ScrollArea.Autosize mah={360} type="auto">
          <Stack gap={4}>
            {items.map((item) => (
              <NotificationRow key={item.id} item={item} onOpen={() => open(item)} />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
