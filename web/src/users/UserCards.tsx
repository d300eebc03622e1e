import { Anchor, Badge, Card, Group, Stack, Text } from '@mantine/core';
import { Link } from 'wouter';
import { formatDate } from '../lib/format';
import { displayName, STATUS_COLORS } from './status';
import type { User } from './types';

/**
 * The users list on a phone: one card per user, so that nothing needs sideways scrolling; the
 * empty state is a sentence in full view rather than a row of a table wider than the screen.
 */
export function UserCards({ users, empty }: { users: User[] | undefined; empty: string | null }) {
  if (users && users.length === 0 && empty) {
    return (
      <Text c="dimmed" ta="center" py="md" data-testid="users-empty">
        {empty}
      </Text>
    );
  }
  return (
    <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="users-cards">
      {(users ?? []).map((u) => (
        <Card key={u.id} component="li" withBorder padding="sm">
          <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
            <Anchor component={Link} href={`/users/${u.id}`} fw={500} size="sm" style={{ minWidth: 0 }}>
              {displayName(u)}
            </Anchor>
            <Badge color={STATUS_COLORS[u.status]} variant="light" miw="max-content">
              {u.status}
            </Badge>
          </Group>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {u.email}
            {u.username ? ` · ${u.username}` : ''}
          </Text>
          <Text size="sm" c="dimmed">
            {u.customer.name} · {u.site.name} · created {formatDate(u.createdAt)}
          </Text>
          {u.roles.length > 0 && (
            <Group gap={4} mt={4}>
              {u.roles.map((r) => (
                <Badge key={r.id} variant="outline" size="sm" miw="max-content">
                  {r.name}
                </Badge>
              ))}
            </Group>
          )}
        </Card>
      ))}
    </Stack>
  );
}
