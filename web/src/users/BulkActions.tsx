import { Alert, Button, Group, List, Menu, Modal, Progress, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../lib/api';
import { formatNumber, plural } from '../lib/format';
import { getBulkAction, startBulkAction } from './api';
import { useGroups } from './directory';
import type { BulkAction, BulkActionKind, BulkRequest } from './types';

/** The actions offered, in the menu's order, with the words of the menu and the confirmation. */
const ACTIONS: { kind: BulkActionKind; label: string; verb: string; color?: string }[] = [
  { kind: 'disable', label: 'Disable', verb: 'Disable' },
  { kind: 'enable', label: 'Enable', verb: 'Enable' },
  { kind: 'resend_invitation', label: 'Resend invitation', verb: 'Send an invitation to' },
  { kind: 'add_to_group', label: 'Add to group…', verb: 'Add to the group' },
  { kind: 'remove_from_group', label: 'Remove from group…', verb: 'Remove from the group' },
  { kind: 'delete', label: 'Delete…', verb: 'Delete', color: 'red' },
];

const needsGroup = (kind: BulkActionKind) => kind === 'add_to_group' || kind === 'remove_from_group';

/**
 * The users list's Actions menu: confirms with the number of users, starts the job, follows its
 * progress until done, then shows the result and refreshes the list.
 */
export function BulkActions({
  selection,
  count,
  onDone,
}: {
  selection: BulkRequest['selection'] | null;
  /** How many users the selection holds, as the confirmation states it. */
  count: number;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const groups = useGroups();
  const [asked, setAsked] = useState<BulkActionKind | null>(null);
  const [groupId, setGroupId] = useState<string | null>(null);
  const [jobId, setJobId] = useState<number | null>(null);
  const action = ACTIONS.find((a) => a.kind === asked);

  const start = useMutation({
    mutationFn: () => {
      if (!asked || !selection) throw new Error('Nothing is selected.');
      return startBulkAction({
        action: asked,
        selection,
        ...(needsGroup(asked) && groupId !== null && { groupId: Number(groupId) }),
      });
    },
    onSuccess: (view) => setJobId(view.id),
  });
  const job = useQuery({
    queryKey: ['users', 'bulk', jobId],
    queryFn: () => getBulkAction(jobId as number),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data?.status === 'done' ? false : 500),
  });
  const finished = job.data?.status === 'done';

  const close = () => {
    if (finished) {
      queryClient.invalidateQueries({ queryKey: ['users'] });
      onDone();
    }
    setAsked(null);
    setGroupId(null);
    setJobId(null);
    start.reset();
  };

  return (
    <>
      <Menu position="bottom-end">
        <Menu.Target>
          <Button variant="default" disabled={!selection || count === 0} data-testid="users-actions">
            Actions{count > 0 ? ` (${formatNumber(count)})` : ''}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{plural(count, 'selected user')}</Menu.Label>
          {ACTIONS.map((a) => (
            <Menu.Item key={a.kind} color={a.color} onClick={() => setAsked(a.kind)}>
              {a.label}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Modal
        opened={action !== undefined}
        onClose={close}
        title={action ? `${action.label.replace('…', '')}: ${plural(count, 'user')}` : ''}
      >
        {action && jobId === null && (
          <Stack>
            <Text>
              {action.verb} {needsGroup(action.kind) ? 'chosen below ' : ''}
              <strong>{plural(count, 'user')}</strong>?
              {action.kind === 'delete' && ' Deleted users cannot be brought back.'}
            </Text>
            {needsGroup(action.kind) && (
              <Select
                label="Group"
                placeholder="Choose a group"
                data={(groups.data ?? []).map((g) => ({ value: String(g.id), label: g.name }))}
                value={groupId}
                onChange={setGroupId}
                searchable
              />
            )}
            {start.isError && (
              <Alert color="red" title="Not started">
                {describeError(start.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button
                color={action.color}
                loading={start.isPending}
                disabled={needsGroup(action.kind) && groupId === null}
                onClick={() => start.mutate()}
              >
                {action.label.replace('…', '')} {plural(count, 'user')}
              </Button>
            </Group>
          </Stack>
        )}
        {jobId !== null && <BulkProgress job={job.data} onClose={close} />}
      </Modal>
    </>
  );
}

function BulkProgress({ job, onClose }: { job: BulkAction | undefined; onClose: () => void }) {
  if (job?.status !== 'done') {
    const done = job?.progress.done ?? 0;
    const total = job?.progress.total ?? 0;
    return (
      <Stack data-testid="bulk-progress">
        <Text>
          Working… {formatNumber(done)} of {formatNumber(total)}
        </Text>
        <Progress value={total === 0 ? 0 : (100 * done) / total} aria-label="Progress" />
      </Stack>
    );
  }
  const { changed, unchanged, failed } = job.counts;
  return (
    <Stack data-testid="bulk-result">
      <Text>
        Done: {formatNumber(changed)} changed, {formatNumber(unchanged)} already as asked,{' '}
        {formatNumber(failed)} not changed.
      </Text>
      {job.failures.length > 0 && (
        <List size="sm" spacing={2}>
          {job.failures.slice(0, 20).map((f) => (
            <List.Item key={f.userId}>
              User #{f.userId}: {f.message}
            </List.Item>
          ))}
        </List>
      )}
      <Group justify="flex-end">
        <Button onClick={onClose}>Done</Button>
      </Group>
    </Stack>
  );
}
