import { Anchor, Badge, Card, Checkbox, Group, Stack, Text } from '@mantine/core';
import { Link } from 'wouter';
import { formatDate } from '../lib/format';
import { displayName, STATUS_COLORS } from './status';
import type { User } from './types';

/** The page's selection, for admins who may run bulk actions: a checkbox per card and one for the page. */
export interface CardSelection {
  isSelected: (id: number) => boolean;
  toggle: (id: number, on: boolean) => void;
  page: 'all' | 'some' | 'none';
  togglePage: (on: boolean) => void;
}

/**
 * The users list on a phone: one card per user, so that nothing needs sideways scrolling; the
 * empty state is a sentence in full view rather than a row of a table wider than the screen.
 * With `selection`, each card has a checkbox, as the table's rows do on a wider screen.
 */
export function UserCards({
  users,
  empty,
  selection,
}: {
  users: User[] | undefined;
  empty: string | null;
  selection?: CardSelection;
}) {
  if (users && users.length === 0 && empty) {
    return (
      <Text c="dimmed" ta="center" py="md" data-testid="users-empty">
        {empty}
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      {selection && (users ?? []).length > 0 && (
        <Checkbox
          label="Select every user on this page"
          checked={selection.page === 'all'}
          indeterminate={selection.page === 'some'}
          onChange={(e) => selection.togglePage(e.currentTarget.checked)}
          data-testid="users-cards-select-page"
        />
      )}
      <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="users-cards">
        {(users ?? []).map((u) => (
          <Card key={u.id} component="li" withBorder padding="sm">
            <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
              <Group gap="xs" wrap="nowrap" align="flex-start" style={{ minWidth: 0 }}>
                {selection && (
                  // A 24-pixel box with room around it: a target a thumb can hit.
                  <Checkbox
                    size="md"
                    aria-label={`Select ${displayName(u)}`}
                    checked={selection.isSelected(u.id)}
                    onChange={(e) => selection.toggle(u.id, e.currentTarget.checked)}
                  />
                )}
                <Anchor component={Link} href={`/users/${u.id}`} fw={500} size="sm" style={{ minWidth: 0 }}>
                  {displayName(u)}
                </Anchor>
              </Group>
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
    </Stack>
  );
}
