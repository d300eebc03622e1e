import {
  Alert,
  Button,
  Card,
  Group,
  MultiSelect,
  Radio,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/api';
import { formatNumber, plural } from '../../lib/format';
import { listGroups, readSettings, searchUsers, setOptions } from '../api';
import { formatDuration, MODE_LABELS } from '../labels';
import type { Import, ImportOptions, ImportTarget, Permissions } from '../types';

const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "About 30 min (until about 14:05)" for n emails at a rate per minute. */
function sendTime(n: number, perMinute: number): string {
  const seconds = (n / Math.max(1, perMinute)) * 60;
  return `${formatDuration(seconds)} at ${formatNumber(perMinute)} per minute (the last one around ${timeOfDay.format(new Date(Date.now() + seconds * 1000))})`;
}

/** Step 5: how rows are written. Changing them checks every row again (the mode decides conflicts). */
export function OptionsStep({
  view,
  target,
  canRun,
  onBack,
  onNext,
}: {
  view: Import;
  target: ImportTarget;
  canRun: boolean;
  onBack: () => void;
  onNext: () => void;
}) {
  const queryClient = useQueryClient();
  const [options, setLocal] = useState<ImportOptions>(view.options);
  const [groupIds, setGroupIds] = useState<string[]>(
    view.options.permissions.kind === 'assignGroups' ? view.options.permissions.groupIds.map(String) : [],
  );
  const [mirrorId, setMirrorId] = useState<string | null>(
    view.options.permissions.kind === 'mirrorUser' ? String(view.options.permissions.userId) : null,
  );
  const [mirrorLabel, setMirrorLabel] = useState<string | null>(null);
  const [userSearch, setUserSearch] = useState('');
  // Picking a user puts its label in the search box: that is not a new search.
  const [q] = useDebouncedValue(userSearch === mirrorLabel ? '' : userSearch.trim(), 250);

  const settings = useQuery({ queryKey: ['settings'], queryFn: readSettings, staleTime: 60_000 });
  const groups = useQuery({ queryKey: ['groups'], queryFn: listGroups, staleTime: 60_000 });
  const users = useQuery({
    queryKey: ['users', 'search', q],
    queryFn: () => searchUsers(q),
    enabled: options.permissions.kind === 'mirrorUser',
    staleTime: 30_000,
  });

  const set = (patch: Partial<ImportOptions>) => setLocal((o) => ({ ...o, ...patch }));
  const kind = options.permissions.kind;
  const permissions: Permissions | null =
    kind === 'fromFile'
      ? { kind }
      : kind === 'assignGroups'
        ? groupIds.length > 0
          ? { kind, groupIds: groupIds.map(Number) }
          : null
        : mirrorId
          ? { kind, userId: Number(mirrorId) }
          : null;

  const save = useMutation({
    mutationFn: async () => {
      if (!permissions) throw new Error('Choose the groups to assign, or the user to mirror.');
      const { customerId: _scope, ...chosen } = { ...options, permissions };
      const { customerId: _before, ...before } = view.options;
      // Every row is checked again under new options: not worth it when nothing changed.
      const keys = Object.keys(chosen) as (keyof typeof chosen)[];
      if (keys.every((k) => JSON.stringify(chosen[k] ?? null) === JSON.stringify(before[k] ?? null))) {
        return null;
      }
      return setOptions(view.id, chosen);
    },
    onSuccess: (next) => {
      if (next) {
        queryClient.setQueryData(['import', view.id], next);
        queryClient.invalidateQueries({ queryKey: ['import-rows', view.id] });
      }
      onNext();
    },
  });

  const toCreate = view.planned.create ?? 0;
  const mirrorChoices = (users.data?.items ?? []).map((u) => ({
    value: String(u.id),
    label: `${u.displayName || `${u.firstName} ${u.lastName}`.trim() || u.email} · ${u.email}`,
  }));
  if (mirrorId && !mirrorChoices.some((c) => c.value === mirrorId)) {
    mirrorChoices.unshift({ value: mirrorId, label: mirrorLabel ?? `User #${mirrorId}` });
  }

  return (
    <Card withBorder padding="lg">
      <Stack gap="lg">
        <Title order={3}>Options</Title>
        <Radio.Group
          label="Mode"
          description="What happens to rows whose user already exists (matched by email)"
          value={options.mode}
          onChange={(v) => set({ mode: v as ImportOptions['mode'] })}
        >
          <Stack gap={6} mt="xs">
            {target.modes.map((m) => (
              <Radio key={m} value={m} label={MODE_LABELS[m] ?? m} disabled={!canRun} />
            ))}
          </Stack>
        </Radio.Group>
        <Radio.Group
          label="Empty cells when updating"
          value={options.emptyCells}
          onChange={(v) => set({ emptyCells: v as ImportOptions['emptyCells'] })}
        >
          <Stack gap={6} mt="xs">
            <Radio value="keep" label="Keep the current value" disabled={!canRun} />
            <Radio value="clear" label="Clear the field" disabled={!canRun} />
          </Stack>
        </Radio.Group>
        <Switch
          label="All or nothing"
          description={
            options.atomic
              ? 'Nothing is imported while any row has an error.'
              : 'Valid rows are imported; rows with errors are reported in the failure file.'
          }
          checked={options.atomic}
          onChange={(e) => set({ atomic: e.currentTarget.checked })}
          disabled={!canRun}
        />
        <Stack gap={6}>
          <Switch
            label="Send activation emails to new users"
            checked={options.sendInvites}
            onChange={(e) => set({ sendInvites: e.currentTarget.checked })}
            disabled={!canRun}
          />
          {options.sendInvites && (
            <>
              <Text size="sm" data-testid="invite-estimate">
                {toCreate === 0
                  ? 'No row creates a user yet, so no email would be sent.'
                  : settings.data
                    ? `${plural(toCreate, 'email')}: sending takes about ${sendTime(toCreate, settings.data.mailRatePerMinute)}.`
                    : `${plural(toCreate, 'email')}.`}
              </Text>
              <Textarea
                label="Your message in the email (optional)"
                value={options.inviteMessage ?? ''}
                onChange={(e) => set({ inviteMessage: e.currentTarget.value || null })}
                maxLength={2000}
                autosize
                minRows={2}
                disabled={!canRun}
              />
            </>
          )}
        </Stack>
        <Radio.Group
          label="Roles and groups"
          value={kind}
          onChange={(v) =>
            set({
              permissions:
                v === 'assignGroups'
                  ? { kind: 'assignGroups', groupIds: [] }
                  : v === 'mirrorUser'
                    ? { kind: 'mirrorUser', userId: 0 }
                    : { kind: 'fromFile' },
            })
          }
        >
          <Stack gap={6} mt="xs">
            <Radio value="fromFile" label="Take them from the file's columns" disabled={!canRun} />
            <Radio value="assignGroups" label="Assign groups to every row" disabled={!canRun} />
            <Radio
              value="mirrorUser"
              label="Mirror an existing user's roles, groups and access level"
              disabled={!canRun}
            />
          </Stack>
        </Radio.Group>
        {kind === 'assignGroups' && (
          <MultiSelect
            label="Groups to assign"
            placeholder={groupIds.length ? undefined : 'Choose groups'}
            data={(groups.data ?? []).map((g) => ({ value: String(g.id), label: g.name }))}
            value={groupIds}
            onChange={setGroupIds}
            searchable
            nothingFoundMessage="No group has this name"
            error={groupIds.length === 0 ? 'Choose at least one group.' : undefined}
            disabled={!canRun}
            maw={480}
          />
        )}
        {kind === 'mirrorUser' && (
          <Select
            label="User to mirror"
            placeholder="Search by email or name"
            data={mirrorChoices}
            value={mirrorId}
            onChange={(value, option) => {
              setMirrorId(value);
              setMirrorLabel(option?.label ?? null);
            }}
            searchable
            searchValue={userSearch}
            onSearchChange={setUserSearch}
            filter={({ options: all }) => all}
            nothingFoundMessage={users.isFetching ? 'Searching…' : 'No user matches'}
            error={mirrorId ? undefined : 'Choose the user whose permissions new users get.'}
            disabled={!canRun}
            maw={480}
          />
        )}
        {save.isError && (
          <Alert color="red" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        <Group justify="space-between">
          <Button variant="default" onClick={onBack}>
            Back
          </Button>
          <Button
            onClick={() => (canRun ? save.mutate() : onNext())}
            loading={save.isPending}
            disabled={canRun && !permissions}
          >
            Next: review
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
