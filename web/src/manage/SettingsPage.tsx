import { Alert, Button, Fieldset, Group, NumberInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef } from 'react';
import type { SETTINGS_BOUNDS } from '../../../src/core/domain/settings.js';
import { useCan } from '../auth/session';
import { formatNumber } from '../lib/format';
import { useFormState } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { getSettings, updateSettings } from './api';
import type { Settings, SettingsPatch } from './types';
import { PageHeader } from './ui';

/** The API's bounds, written out for the help texts; typed by the server's own, so they cannot drift. */
const BOUNDS: typeof SETTINGS_BOUNDS = {
  importMaxFileBytes: { min: 1024, max: 1024 * 1024 * 1024 },
  importMaxRows: { min: 1, max: 10_000_000 },
  importMaxOwners: { min: 1, max: 100_000 },
  inviteTtlDays: { min: 1, max: 365 },
  inviteReminderDays: { min: 0, max: 365 },
  mailRatePerMinute: { min: 1, max: 100_000 },
};
const range = (key: keyof typeof BOUNDS) =>
  `From ${formatNumber(BOUNDS[key].min)} to ${formatNumber(BOUNDS[key].max)}.`;

const MB = 1024 * 1024;
/** The file size limit is set in megabytes; the API keeps bytes. */
const toMb = (bytes: number) => Math.round((bytes / MB) * 100) / 100;

type Values = Omit<Settings, 'importMaxFileBytes'> & { importMaxFileBytes: number | string };

/** Settings administrators change at run time: import limits, invitations, mail, the portal's name. */
export function SettingsPage() {
  const canChange = useCan()('config.manage');
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['settings'], queryFn: getSettings });
  const form = useFormState<Values>({
    importMaxFileBytes: 20,
    importMaxRows: 100_000,
    importMaxOwners: 100,
    inviteTtlDays: 7,
    inviteReminderDays: 0,
    mailRatePerMinute: 120,
    portalName: '',
    importFinishedEmail: false,
    mailFrom: '',
    contactUsersRequireAdministrator: false,
  });
  const { reset } = form;
  // The stored values fill the form once; a later refetch (window focus, another page) never
  // overwrites what the admin is typing. A save fills it again with what was saved.
  const filled = useRef(false);
  useEffect(() => {
    if (settings.data && !filled.current) {
      filled.current = true;
      reset({ ...settings.data, importMaxFileBytes: toMb(settings.data.importMaxFileBytes) });
    }
  }, [settings.data, reset]);

  const save = useMutation({
    mutationFn: () => {
      const current = settings.data;
      const v = form.values;
      const next: Settings = {
        ...v,
        importMaxFileBytes:
          typeof v.importMaxFileBytes === 'number' ? Math.round(v.importMaxFileBytes * MB) : Number.NaN,
      };
      // Only what changed, so that a value still coming from the environment stays so.
      const patch: Record<string, unknown> = {};
      for (const key of Object.keys(next) as (keyof Settings)[]) {
        const unchanged =
          key === 'importMaxFileBytes'
            ? current && v.importMaxFileBytes === toMb(current.importMaxFileBytes)
            : current?.[key] === next[key];
        if (!unchanged) patch[key] = Number.isNaN(next[key]) ? null : next[key];
      }
      return updateSettings(patch as SettingsPatch);
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['settings'], saved);
      reset({ ...saved, importMaxFileBytes: toMb(saved.importMaxFileBytes) });
      notifications.show({ color: 'green', message: 'Settings saved.' });
    },
    onError: form.fail,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  const number = (
    key: 'importMaxRows' | 'importMaxOwners' | 'inviteTtlDays' | 'inviteReminderDays' | 'mailRatePerMinute',
  ) => ({
    value: form.values[key],
    onChange: (v: number | string) => form.set(key, typeof v === 'number' ? v : Number.NaN),
    // The API's schema message ("too small: expected …") is replaced by the range it checks.
    error: form.errors[key] && `Use a whole number. ${range(key)}`,
    readOnly: !canChange,
    allowDecimal: false,
    allowNegative: false,
    thousandSeparator: ' ',
    maw: 320,
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md" maw={720}>
        <PageHeader
          title="Settings"
          subtitle={
            canChange
              ? 'Changes apply at once, to every process.'
              : 'Your role may read these settings, not change them.'
          }
          busy={settings.isFetching}
        />
        {settings.isError && <LoadError what="settings" error={settings.error} />}
        {form.formError && (
          <Alert color="red" title="Not saved" role="alert">
            {form.formError}
          </Alert>
        )}
        <Fieldset legend="Portal">
          <TextInput
            label="Portal name"
            description="The name users see in activation and password emails and on the portal's pages."
            value={form.values.portalName}
            onChange={(e) => form.set('portalName', e.currentTarget.value)}
            error={form.errors.portalName}
            readOnly={!canChange}
            maw={420}
          />
        </Fieldset>
        <Fieldset legend="Imports">
          <Stack gap="sm">
            <NumberInput
              label="Largest file"
              description={`In megabytes (1 MB = ${formatNumber(MB)} bytes): bigger uploads are refused. From ${Math.max(0.01, toMb(BOUNDS.importMaxFileBytes.min))} to ${formatNumber(toMb(BOUNDS.importMaxFileBytes.max))} MB.`}
              suffix=" MB"
              value={form.values.importMaxFileBytes}
              onChange={(v) => form.set('importMaxFileBytes', v)}
              error={form.errors.importMaxFileBytes}
              readOnly={!canChange}
              decimalScale={2}
              allowNegative={false}
              maw={320}
            />
            <NumberInput
              label="Most rows per import"
              description={`Rows of data in one file, header not counted. ${range('importMaxRows')}`}
              suffix=" rows"
              {...number('importMaxRows')}
            />
            <NumberInput
              label="Most owners per record import"
              description={`Different users one records file may assign rows to. ${range('importMaxOwners')}`}
              suffix=" users"
              {...number('importMaxOwners')}
            />
            <Switch
              label="Email the admin who started an import when it ends"
              description="Besides the notification in the console."
              checked={form.values.importFinishedEmail}
              onChange={(e) => form.set('importFinishedEmail', e.currentTarget.checked)}
              disabled={!canChange}
            />
            <Switch
              label="Only administrators may create users for existing contacts"
              description="Imports of portal users for a customer's contacts (contact users) need the Administrator role to be created and committed."
              checked={form.values.contactUsersRequireAdministrator}
              onChange={(e) => form.set('contactUsersRequireAdministrator', e.currentTarget.checked)}
              disabled={!canChange}
            />
          </Stack>
        </Fieldset>
        <Fieldset legend="Invitations and email">
          <Stack gap="sm">
            <TextInput
              label="Email sender"
              description="The From of invitations, reminders and notifications: an address, or a name and the address in angle brackets, as in Roster <no-reply@example.com>. Use an address your mail server may send from."
              value={form.values.mailFrom}
              onChange={(e) => form.set('mailFrom', e.currentTarget.value)}
              error={form.errors.mailFrom}
              readOnly={!canChange}
              maw={420}
            />
            <NumberInput
              label="Activation links last"
              description={`Days before an unused invitation expires; the user is then expired until it is resent. ${range('inviteTtlDays')}`}
              suffix=" days"
              {...number('inviteTtlDays')}
            />
            <NumberInput
              label="Remind pending users after"
              description={`Days after the invitation that one reminder goes to a user who has not activated yet. 0: no reminders. ${range('inviteReminderDays')}`}
              suffix=" days"
              {...number('inviteReminderDays')}
            />
            <NumberInput
              label="Emails per minute"
              description={`Sending rate shared by every worker, to stay within the mail relay's limits. ${range('mailRatePerMinute')}`}
              suffix=" per minute"
              {...number('mailRatePerMinute')}
            />
          </Stack>
        </Fieldset>
        {canChange && (
          <Group>
            <Button type="submit" loading={save.isPending} disabled={!settings.data}>
              Save settings
            </Button>
            <Text size="sm" c="dimmed">
              Only the settings you changed are saved.
            </Text>
          </Group>
        )}
      </Stack>
    </form>
  );
}
