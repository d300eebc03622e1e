import { Alert, Button, Stack, Title } from '@mantine/core';
import { Link } from 'wouter';

export function NotFoundPage() {
  return (
    <Stack align="flex-start">
      <Title order={2}>Page not found</Title>
      <Alert color="gray">There is no page at this address.</Alert>
      <Button component={Link} href="/users" variant="default">
        Go to users
      </Button>
    </Stack>
  );
}

export function NotAllowedPage() {
  return (
    <Stack align="flex-start">
      <Title order={2}>Not allowed</Title>
      <Alert color="yellow" role="alert">
        Your role does not allow this page. Ask an administrator if you need it.
      </Alert>
    </Stack>
  );
}
