import { Alert, Badge, Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useLocation, useSearchParams } from 'wouter';
import { describeError } from '../lib/api';
import { formatDate } from '../lib/format';
import { portalLogout, portalMe } from './api';
import { PortalFrame, PortalLoader } from './PortalFrame';
import { PortalRecords } from './PortalRecords';

function Field({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {value || '—'}
      </Text>
    </div>
  );
}

function Names({
  label,
  items,
  testId,
}: {
  label: string;
  items: { id: number; name: string }[];
  testId: string;
}) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700} mb={4}>
        {label}
      </Text>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          None
        </Text>
      ) : (
        <Group gap={6} data-testid={testId}>
          {items.map((i) => (
            <Badge key={i.id} variant="light">
              {i.name}
            </Badge>
          ))}
        </Group>
      )}
    </div>
  );
}

const WELCOME: Record<string, string> = {
  activation: 'Your account is active and you are signed in.',
  reset: 'Your new password is set and you are signed in.',
};

/** The signed-in portal user's home: their profile, customer, site, roles and groups. */
export function PortalHomePage() {
  const [, navigate] = useLocation();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ['portal-me'], queryFn: portalMe });
  const signOut = useMutation({
    mutationFn: portalLogout,
    onSettled: () => {
      queryClient.setQueryData(['portal-me'], null);
      navigate('/portal/login', { replace: true });
    },
  });

  useEffect(() => {
    if (me.isSuccess && me.data === null) navigate('/portal/login', { replace: true });
  }, [me.isSuccess, me.data, navigate]);

  if (me.isError) {
    return (
      <PortalFrame title="Your account">
        <Alert color="red" role="alert">
          {describeError(me.error)}
        </Alert>
      </PortalFrame>
    );
  }
  if (!me.data) return <PortalLoader />;
  const { user, customer, site, roles, groups } = me.data;
  const name = user.displayName || `${user.firstName} ${user.lastName}`.trim() || user.email;
  const welcome = WELCOME[params.get('welcome') ?? ''];

  return (
    <PortalFrame title={`Welcome, ${name}`} width={640}>
      {welcome && (
        <Alert color="green" role="status" data-testid="portal-welcome">
          {welcome}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md" data-testid="portal-profile">
        <Field label="Email" value={user.email} />
        <Field label="Username" value={user.username} />
        <Field label="First name" value={user.firstName} />
        <Field label="Last name" value={user.lastName} />
        <Field label="Customer" value={customer.name} />
        <Field label="Site" value={site.name} />
        <Field label="User type" value={user.userType} />
        <Field label="Access level" value={user.accessLevel} />
        <Field label="Employee number" value={user.employeeNumber} />
        <Field label="Active since" value={user.activatedAt ? formatDate(user.activatedAt) : null} />
      </SimpleGrid>
      <Names label="Roles" items={roles} testId="portal-roles" />
      <Names label="Groups" items={groups} testId="portal-groups" />
      <PortalRecords />
      {Object.keys(user.attributes).length > 0 && (
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
          {Object.entries(user.attributes).map(([key, value]) => (
            <Field key={key} label={key} value={value === null ? null : String(value)} />
          ))}
        </SimpleGrid>
      )}
      <Stack align="flex-start">
        <Button variant="default" onClick={() => signOut.mutate()} loading={signOut.isPending}>
          Sign out
        </Button>
      </Stack>
    </PortalFrame>
  );
}
