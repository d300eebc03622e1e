import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { describeError } from '../lib/api';
import { requestReset } from './api';
import { PortalFrame } from './PortalFrame';

/** Asks for a password reset email. The answer is the same for any email, known or not. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const ask = useMutation({ mutationFn: () => requestReset(email.trim()) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    ask.mutate();
  };
  return (
    <PortalFrame
      title="Reset your password"
      footer={
        <Anchor component={Link} href="/portal/login">
          Back to sign in
        </Anchor>
      }
    >
      {ask.isSuccess ? (
        <Alert color="green" role="status" data-testid="reset-requested">
          If {email.trim()} belongs to an active account, an email with a link to choose a new password is on
          its way. The link works once, for an hour.
        </Alert>
      ) : (
        <form onSubmit={submit}>
          <Stack gap="md">
            <Text size="sm">
              Enter the email of your account. We send you a link to choose a new password.
            </Text>
            {ask.isError && (
              <Alert color="red" role="alert">
                {describeError(ask.error)}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <Button type="submit" fullWidth loading={ask.isPending} disabled={email.trim() === ''}>
              Send me a reset link
            </Button>
          </Stack>
        </form>
      )}
    </PortalFrame>
  );
}
