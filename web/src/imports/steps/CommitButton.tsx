import { Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { formatNumber, plural } from '../../lib/format';

/**
 * The review's commit button. When the import will delete users (rows whose action is delete), it
 * first asks: how many users go, that a rollback brings them back, and an explicit tick to go on.
 */
export function CommitButton({
  deletes,
  label,
  disabled,
  loading,
  onCommit,
}: {
  deletes: number;
  /** What the button says (how many rows it commits). */
  label: string;
  disabled: boolean;
  loading: boolean;
  onCommit: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const [sure, setSure] = useState(false);
  if (deletes === 0)
    return (
      <Button onClick={onCommit} loading={loading} disabled={disabled}>
        {label}
      </Button>
    );
  return (
    <>
      <Button
        color="red"
        onClick={() => {
          setSure(false);
          setAsking(true);
        }}
        loading={loading}
        disabled={disabled}
      >
        {label}
      </Button>
      <Modal opened={asking} onClose={() => setAsking(false)} title="Delete users?" centered>
        <Stack gap="md">
          <Text data-testid="delete-count">
            This import will delete <strong>{plural(deletes, 'user')}</strong> with their roles, groups and
            custom attributes, and cancel their open invitations.
          </Text>
          <Text size="sm" c="dimmed">
            Rolling the import back restores them with the same ids, unless someone takes their email or
            username meanwhile.
          </Text>
          <Checkbox
            checked={sure}
            onChange={(e) => setSure(e.currentTarget.checked)}
            label={`Yes, delete ${formatNumber(deletes)} ${deletes === 1 ? 'user' : 'users'}`}
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setAsking(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              disabled={!sure}
              onClick={() => {
                setAsking(false);
                onCommit();
              }}
            >
              Commit and delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
