import {
  Anchor,
  Card,
  Group,
  List,
  Progress,
  Stack,
  Text,
  ThemeIcon,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { useCan } from '../auth/session';
import { type SetupStepId, setupQuery } from './api';

/** What each step asks, and the page where it is done. */
const STEPS: Record<SetupStepId, { title: string; how: string; href: string; link: string }> = {
  portalName: {
    title: 'Name the portal',
    how: 'People see this name in their invitation emails and on the portal pages (today "Customer Portal").',
    href: '/settings',
    link: 'Open settings',
  },
  mailSender: {
    title: 'Set the email sender',
    how: 'Invitations go out from roster@localhost, which most mail servers refuse. Set the email sender in Settings (and SMTP_URL in the environment to send real email).',
    href: '/settings',
    link: 'Open settings',
  },
  customer: {
    title: 'Add a customer and its sites',
    how: 'Every portal user belongs to a customer and one of its sites.',
    href: '/customers',
    link: 'Open customers',
  },
  roles: {
    title: 'Create the portal roles',
    how: 'The roles imported users can be given, by name.',
    href: '/roles',
    link: 'Open portal roles',
  },
  firstImport: {
    title: 'Import your first users',
    how: 'Download the template, fill it in and upload it; you review every row before anything is written.',
    href: '/imports/new?target=users',
    link: 'Start an import',
  },
};

/**
 * The first-run checklist on the console's home page, for administrators: what is left to set up,
 * each step linking to its page. The server says what is done; once everything is, it disappears.
 */
export function SetupChecklist() {
  const can = useCan();
  const allowed = can('config.manage');
  const setup = useQuery({ ...setupQuery, enabled: allowed });
  if (!allowed || !setup.data || setup.data.complete) return null;
  const { steps } = setup.data;
  const done = steps.filter((s) => s.done).length;
  return (
    <Card
      withBorder
      padding="md"
      component="section"
      aria-labelledby="setup-title"
      data-testid="setup-checklist"
    >
      <Stack gap="sm">
        <Group justify="space-between" align="baseline" gap="xs">
          <Title order={3} size="h4" id="setup-title">
            Set up Roster
          </Title>
          <Text size="sm" c="dimmed" data-testid="setup-progress">
            {done} of {steps.length} done
          </Text>
        </Group>
        <Progress value={(done / steps.length) * 100} size="sm" aria-hidden="true" />
        <List
          spacing="sm"
          listStyleType="none"
          styles={{ itemWrapper: { width: '100%', alignItems: 'flex-start' } }}
        >
          {steps.map((step) => {
            const about = STEPS[step.id];
            return (
              <List.Item
                key={step.id}
                data-testid={`setup-step-${step.id}`}
                data-done={step.done}
                icon={
                  <ThemeIcon
                    size={22}
                    radius="xl"
                    color={step.done ? 'teal' : 'gray'}
                    variant={step.done ? 'filled' : 'light'}
                    aria-hidden="true"
                  >
                    {step.done ? '✓' : ''}
                  </ThemeIcon>
                }
              >
                <Text size="sm" fw={600} td={step.done ? 'line-through' : undefined}>
                  {about.title}
                  <VisuallyHidden>{step.done ? ' (done)' : ' (to do)'}</VisuallyHidden>
                </Text>
                {!step.done && (
                  <Text size="sm" c="dimmed">
                    {about.how}{' '}
                    <Anchor component={Link} href={about.href} size="sm" underline="always">
                      {about.link}
                    </Anchor>
                  </Text>
                )}
              </List.Item>
            );
          })}
        </List>
      </Stack>
    </Card>
  );
}
