import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { HttpError } from '../lib/api';
import { login } from './api';

function describe(error: unknown): string {
  if (error instanceof HttpError) {
    if (error.status === 0) return 'The server could not be reached. Check your connection and try again.';
    if (error.status === 401) return 'The email or password is wrong.';
    if (error.status === 429) return error.body?.message ?? 'Too many attempts. Wait a moment and try again.';
    return error.body?.message ?? error.message;
  }
  return 'Something went wrong. Try again.';
}

export function LoginPage({ onSignedIn }: { onSignedIn: () => Promise<unknown> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => login(email.trim(), password),
    onSuccess: () => onSignedIn(),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };

  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-body)">
      <Paper component="form" onSubmit={submit} withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        <Stack>
          <div>
            <Title order={2}>Roster</Title>
            <Text c="dimmed" size="sm">
              Sign in to the admin console
            </Text>
          </div>
          {signIn.isError && (
            <Alert color="red" title="Could not sign in" role="alert">
              {describe(signIn.error)}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" loading={signIn.isPending} fullWidth>
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
