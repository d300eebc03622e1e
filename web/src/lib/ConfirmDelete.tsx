import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useRef, useState } from 'react';
import { describeError } from './api';

export interface DeleteTarget {
  /** What is deleted, in words: `the customer "Acme"`. */
  what: string;
  /** More about the consequences, when there are any. */
  detail?: ReactNode;
  /** The word on the button and in the title: "Delete" unless told ("Revoke"). */
  verb?: string;
  run: () => Promise<unknown>;
  /** After the deletion succeeded (e.g. leave the page of what was deleted). */
  afterwards?: () => void;
}

/**
 * Asks before deleting, naming what goes. A refusal (e.g. a customer that still has users) is the
 * API's own message, shown in the dialog so that the admin sees why and what to do.
 */
export function ConfirmDelete({
  target: current,
  onClose,
}: {
  target: DeleteTarget | null;
  onClose: () => void;
}) {
  // While the dialog closes, it keeps showing what it asked about.
  const last = useRef(current);
  if (current) last.current = current;
  const target = last.current;
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const verb = target?.verb ?? 'Delete';

  const close = () => {
    setError(null);
    onClose();
  };
  const confirm = async () => {
    if (!target) return;
    setPending(true);
    setError(null);
    try {
      await target.run();
      notifications.show({ color: 'green', message: `${verb}d ${target.what}.` });
      close();
      target.afterwards?.();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <Modal opened={current !== null} onClose={close} title={`${verb} ${target?.what ?? ''}?`}>
      <Stack>
        <Text size="sm">
          {verb} {target?.what}? This cannot be undone.
        </Text>
        {typeof target?.detail === 'string' ? (
          <Text size="sm" c="dimmed">
            {target.detail}
          </Text>
        ) : (
          target?.detail
        )}
        {error && (
          <Alert color="red" title={`Could not ${verb.toLowerCase()}`} role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={confirm} loading={pending}>
            {verb}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
