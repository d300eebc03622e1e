import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { describeError } from '../lib/api';
import { formatNumber } from '../lib/format';
import { cancelImport } from './api';
import type { Import } from './types';

/**
 * Discards an upload that was never committed, after asking: the import is cancelled (kept in the
 * history as such) and nothing of it reaches the directory.
 */
export function DiscardImport({ view }: { view: Import }) {
  const queryClient = useQueryClient();
  const [confirming, { open, close }] = useDisclosure(false);
  const discard = useMutation({
    mutationFn: () => cancelImport(view.id),
    onSuccess: (next) => {
      queryClient.setQueryData(['import', view.id], next);
      queryClient.invalidateQueries({ queryKey: ['imports'] });
      close();
    },
  });
  return (
    <>
      <Button variant="subtle" color="red" size="compact-sm" onClick={open}>
        Discard import…
      </Button>
      <Modal opened={confirming} onClose={close} title="Discard this import?" centered>
        <Stack gap="sm">
          <Text size="sm">
            "{view.file.name}" ({formatNumber(view.rows.total)} rows) has not been committed: discarding it
            writes nothing and drops the fixes made in the review. It stays in the import history as
            cancelled.
          </Text>
          {discard.isError && (
            <Alert color="red" role="alert">
              {describeError(discard.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button color="red" onClick={() => discard.mutate()} loading={discard.isPending}>
              Discard
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
