import {
  Alert,
  Anchor,
  Box,
  Button,
  Grid,
  Group,
  Loader,
  Paper,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useSearchParams } from 'wouter';
import { describeError } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { listMailbox } from './api';
import type { MailboxItem } from './types';

const URL_PATTERN = /https?:\/\/[^\s<>"')]+/g;

/** Plain text with its addresses made into links that open in a new tab. */
export function LinkifiedText({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const at = match.index ?? 0;
    parts.push(<Fragment key={`t${at}`}>{text.slice(last, at)}</Fragment>);
    parts.push(
      <Anchor key={`a${at}`} href={match[0]} target="_blank" rel="noopener noreferrer">
        {match[0]}
      </Anchor>,
    );
    last = at + match[0].length;
  }
  parts.push(<Fragment key="end">{text.slice(last)}</Fragment>);
  return (
    <Text
      component="pre"
      size="sm"
      style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontFamily: 'inherit', margin: 0 }}
      data-testid="message-text"
    >
      {parts}
    </Text>
  );
}

/**
 * An email's HTML, shown as the recipient would see it but unable to act: a sandboxed frame with no
 * scripts, no forms and no same-origin access; its links open in a new tab.
 */
function HtmlBody({ html, title }: { html: string; title: string }) {
  const doc = `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"><meta name="referrer" content="no-referrer"></head><body>${html}</body></html>`;
  return (
    <Box
      component="iframe"
      title={`Email: ${title}`}
      sandbox="allow-popups allow-popups-to-escape-sandbox"
      referrerPolicy="no-referrer"
      srcDoc={doc}
      w="100%"
      h={520}
      data-testid="message-html"
      style={{
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 4,
        background: 'white',
      }}
    />
  );
}

function MessageView({ message, onBack }: { message: MailboxItem; onBack: () => void }) {
  return (
    <Stack gap="sm" data-testid="message">
      <Button variant="subtle" size="compact-sm" onClick={onBack} hiddenFrom="md" w="fit-content">
        ← All messages
      </Button>
      <Title order={3} style={{ overflowWrap: 'anywhere' }}>
        {message.subject}
      </Title>
      <Stack gap={2}>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          <Text span c="dimmed">
            From:{' '}
          </Text>
          {message.from}
        </Text>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          <Text span c="dimmed">
            To:{' '}
          </Text>
          {message.to}
        </Text>
        <Text size="sm">
          <Text span c="dimmed">
            Received:{' '}
          </Text>
          {formatDateTime(message.receivedAt)}
        </Text>
      </Stack>
      <Tabs defaultValue={message.html ? 'html' : 'text'}>
        <Tabs.List>
          <Tabs.Tab value="html" disabled={!message.html}>
            Formatted
          </Tabs.Tab>
          <Tabs.Tab value="text">Plain text</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="html" pt="sm">
          <HtmlBody html={message.html} title={message.subject} />
        </Tabs.Panel>
        <Tabs.Panel value="text" pt="sm">
          <LinkifiedText text={message.text} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** The local mailbox: what the embedded default delivered instead of sending it over SMTP. */
export function MailboxPage() {
  const [params, setParams] = useSearchParams();
  const selectedId = Number(params.get('message')) || null;
  const [to, setTo] = useState(params.get('to') ?? '');
  const [recipient] = useDebouncedValue(to.trim(), 300);

  const mailbox = useInfiniteQuery({
    queryKey: ['mailbox', recipient],
    queryFn: ({ pageParam }) =>
      listMailbox({ ...(recipient && { to: recipient }), ...(pageParam && { cursor: pageParam }) }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const messages = mailbox.data?.pages.flatMap((p) => p.items) ?? [];
  const selected = messages.find((m) => m.id === selectedId) ?? null;

  const select = (id: number | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (id === null) next.delete('message');
        else next.set('message', String(id));
        return next;
      },
      { replace: false },
    );

  const list = (
    <Stack gap="xs">
      <TextInput
        label="To"
        placeholder="Recipient's email"
        value={to}
        onChange={(e) => setTo(e.currentTarget.value)}
      />
      {mailbox.isError && (
        <Alert color="red" role="alert">
          {describeError(mailbox.error)}
        </Alert>
      )}
      {mailbox.isSuccess && messages.length === 0 && (
        <Text c="dimmed" size="sm" py="md">
          {recipient
            ? `No message to ${recipient}.`
            : 'The mailbox is empty. Invitations and password resets appear here once sent.'}
        </Text>
      )}
      <Stack gap={4} data-testid="mailbox-list">
        {messages.map((m) => (
          <UnstyledButton
            key={m.id}
            onClick={() => select(m.id)}
            p="xs"
            aria-current={m.id === selectedId || undefined}
            style={{
              borderRadius: 'var(--mantine-radius-sm)',
              border: '1px solid var(--mantine-color-default-border)',
              background: m.id === selectedId ? 'var(--mantine-primary-color-light)' : undefined,
            }}
          >
            <Text size="sm" fw={600} lineClamp={2}>
              {m.subject}
            </Text>
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Text size="xs" c="dimmed" truncate>
                {m.to}
              </Text>
              <Text size="xs" c="dimmed" style={{ flex: 'none' }}>
                {formatDateTime(m.receivedAt)}
              </Text>
            </Group>
          </UnstyledButton>
        ))}
      </Stack>
      {mailbox.hasNextPage && (
        <Button
          variant="default"
          onClick={() => mailbox.fetchNextPage()}
          loading={mailbox.isFetchingNextPage}
        >
          Older messages
        </Button>
      )}
    </Stack>
  );

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Mailbox</Title>
          <Text c="dimmed" size="sm">
            Email delivered locally because no SMTP server is configured, newest first.
          </Text>
        </div>
        {mailbox.isFetching && <Loader size="sm" aria-label="Loading messages" />}
      </Group>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 4 }} display={{ base: selected ? 'none' : 'block', md: 'block' }}>
          {list}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {selected ? (
            <Paper withBorder p="md" radius="md">
              <MessageView message={selected} onBack={() => select(null)} />
            </Paper>
          ) : (
            <Text c="dimmed" size="sm" visibleFrom="md" py="md">
              Choose a message to read it.
            </Text>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
