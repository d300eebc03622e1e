import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { describeError, HttpError } from '../lib/api';
import { fieldMessagesOf } from '../lib/forms';
import { checkLink, portalLogin, redeemLink } from './api';
import { NewPasswordFields, passwordProblem } from './PasswordField';
import { PortalFrame, PortalLoader } from './PortalFrame';
import type { LinkPurpose } from './types';

/** The token from the address, read once: the address bar is cleaned so it stays out of history. */
function useTokenFromAddress(): string {
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token') ?? '');
  useEffect(() => {
    if (window.location.search)
      window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);
  return token;
}

const TEXT: Record<LinkPurpose, { title: string; button: string; invalidHelp: string }> = {
  activation: {
    title: 'Activate your account',
    button: 'Activate my account',
    invalidHelp: 'Ask your administrator to send you a new invitation.',
  },
  reset: {
    title: 'Choose a new password',
    button: 'Set my new password',
    invalidHelp: 'Ask for a new password reset email; each link works once, for an hour.',
  },
};

/**
 * The page a link from an email opens: activation (first password) or password reset. It checks the
 * link first (unknown, used and expired links get one answer), then sets the password and signs the
 * person in to the portal with it.
 */
function LinkPage({ purpose }: { purpose: LinkPurpose }) {
  const token = useTokenFromAddress();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const text = TEXT[purpose];

  const link = useQuery({
    queryKey: ['portal-link', purpose, token],
    queryFn: () => checkLink(token, purpose),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });
  const submit = useMutation({
    mutationFn: async () => {
      const used = await redeemLink(token, password, purpose);
      await portalLogin(used.email, password);
      return used;
    },
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ['portal-me'] });
      navigate(`/portal?welcome=${purpose}`, { replace: true });
    },
  });

  if (link.isPending) return <PortalLoader />;
  // The account of a used activation link is active: there is nothing left to do but sign in.
  const spent = [link.error, submit.error].some(
    (e) => e instanceof HttpError && e.code === 'invitation.account_active',
  );
  if (spent) {
    return (
      <PortalFrame title="Your account is already active">
        <Alert color="blue" data-testid="link-account-active">
          This activation link was used already, and the account it was sent for is active. Sign in with your
          email address (or username) and the password you chose.
        </Alert>
        <Button component={Link} href="/portal/login" fullWidth>
          Sign in
        </Button>
        <Text size="sm" ta="center">
          Forgot the password?{' '}
          <Anchor component={Link} href="/portal/forgot-password">
            Reset it
          </Anchor>
        </Text>
      </PortalFrame>
    );
  }
  const invalid =
    (link.error instanceof HttpError && link.error.status === 410) ||
    (submit.error instanceof HttpError && submit.error.status === 410);
  if (link.isError || invalid) {
    const error = invalid ? (link.error ?? submit.error) : link.error;
    return (
      <PortalFrame
        title="This link cannot be used"
        footer={
          <>
            <Anchor component={Link} href="/portal/login">
              Sign in
            </Anchor>{' '}
            ·{' '}
            <Anchor component={Link} href="/portal/forgot-password">
              Reset your password
            </Anchor>
          </>
        }
      >
        <Alert color="red" role="alert" data-testid="link-invalid">
          {describeError(error)}
        </Alert>
        <Text size="sm">{text.invalidHelp}</Text>
      </PortalFrame>
    );
  }

  const localProblem = passwordProblem(password);
  const serverField = fieldMessagesOf(submit.error).fields.password;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!localProblem && password === repeat) submit.mutate();
  };

  return (
    <PortalFrame title={text.title}>
      <Text size="sm">
        Account: <strong data-testid="link-email">{link.data.email}</strong>
      </Text>
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          <NewPasswordFields
            password={password}
            repeat={repeat}
            onPassword={setPassword}
            onRepeat={setRepeat}
            serverError={serverField}
          />
          {submit.isError && !serverField && (
            <Alert color="red" role="alert">
              {describeError(submit.error)}
            </Alert>
          )}
          <Button
            type="submit"
            fullWidth
            loading={submit.isPending}
            disabled={Boolean(localProblem) || password !== repeat}
          >
            {text.button}
          </Button>
        </Stack>
      </form>
    </PortalFrame>
  );
}

export const ActivatePage = () => <LinkPage purpose="activation" />;
export const ResetPasswordPage = () => <LinkPage purpose="reset" />;
