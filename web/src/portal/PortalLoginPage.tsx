import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { describeError, HttpError } from '../lib/api';
import { portalLogin } from './api';
import { PortalFrame } from './PortalFrame';

function describe(error: unknown): string {
  if (error instanceof HttpError && error.status === 401) {
    return 'The email, username or password is wrong, or the account is not active yet. Activate it with the link in your invitation email.';
  }
  return describeError(error);
}

/** Portal users sign in with their email or username and the password they chose. */
export function PortalLoginPage() {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => portalLogin(login.trim(), password),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ['portal-me'] });
      navigate('/portal', { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };
  return (
    <PortalFrame
      title="Sign in"
      footer={
        <Anchor component={Link} href="/portal/forgot-password">
          Forgot your password?
        </Anchor>
      }
    >
      <form onSubmit={submit}>
        <Stack gap="md">
          {signIn.isError && (
            <Alert color="red" role="alert" title="Could not sign in">
              {describe(signIn.error)}
            </Alert>
          )}
          <TextInput
            label="Email or username"
            autoComplete="username"
            required
            value={login}
            onChange={(e) => setLogin(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" fullWidth loading={signIn.isPending}>
            Sign in
          </Button>
        </Stack>
      </form>
    </PortalFrame>
  );
}
