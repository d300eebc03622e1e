import {
  MultiSelect,
  NumberInput,
  Radio,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useRef, useState } from 'react';
import { formatNumber, plural } from '../../lib/format';
import { type SetupStatus, setupQuery } from '../../setup/api';
import { listGroups, readSettings, searchUsers } from '../api';
import { formatDuration } from '../labels';
import type { Import } from '../types';
import {
  choiceOf,
  isMissing,
  isShown,
  labelOf,
  type OptionSchema,
  type OptionValues,
  unwrapNullable,
  withoutKey,
} from './schema';

/** What a field is drawn with: its schema, value, and the import it belongs to. */
interface FieldProps {
  name: string;
  schema: OptionSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  disabled: boolean;
  /** Shown when a required value is not chosen yet. */
  error: string | undefined;
  view: Import;
}

/**
 * A target's own options, drawn from their JSON Schema: a boolean is a switch, an enum a radio
 * group (a select when long), text a text area, a choice between shapes a radio group with the
 * chosen shape's fields under it, and a `widget` hint picks a control of its own (groups, a user,
 * invitations with their send time).
 */
export function TargetOptionsForm({
  schema,
  values,
  onChange,
  disabled,
  view,
}: {
  schema: OptionSchema;
  values: OptionValues;
  onChange: (values: OptionValues) => void;
  disabled: boolean;
  view: Import;
}) {
  const entries = Object.entries(schema.properties ?? {}).filter(([, prop]) => isShown(prop, values));
  return (
    <>
      {entries.map(([key, prop]) => (
        <OptionField
          key={key}
          name={key}
          schema={prop}
          value={values[key]}
          onChange={(value) => onChange({ ...values, [key]: value })}
          disabled={disabled}
          error={
            (schema.required?.includes(key) && prop.default === undefined) || (prop.minItems ?? 0) > 0
              ? isMissing(prop, values[key])
                ? (prop.missing ?? `Choose ${labelOf(key, prop).toLowerCase()}.`)
                : undefined
              : undefined
          }
          view={view}
        />
      ))}
    </>
  );
}

function OptionField(props: FieldProps): ReactNode {
  const { schema: nullableSchema, value, onChange, disabled, name, error } = props;
  const { schema, nullable } = unwrapNullable(nullableSchema);
  const label = labelOf(name, schema);
  const widget = schema.widget ? WIDGETS[schema.widget] : undefined;
  if (widget) return widget({ ...props, schema });
  const choice = choiceOf(schema);
  if (choice) return <ChoiceField {...props} schema={schema} />;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'boolean') {
    return (
      <Switch
        label={label}
        description={schema.description}
        checked={value === true}
        onChange={(e) => onChange(e.currentTarget.checked)}
        disabled={disabled}
      />
    );
  }
  if (schema.enum) {
    const options = schema.enum.map((v) => ({
      value: String(v),
      label: schema.labels?.[String(v)] ?? String(v),
    }));
    if (options.length <= 5) {
      return (
        <Radio.Group
          label={label}
          description={schema.description}
          value={value === undefined || value === null ? null : String(value)}
          onChange={onChange}
        >
          <Stack gap={6} mt="xs">
            {options.map((o) => (
              <Radio key={o.value} value={o.value} label={o.label} disabled={disabled} />
            ))}
          </Stack>
        </Radio.Group>
      );
    }
    return (
      <Select
        label={label}
        description={schema.description}
        data={options}
        value={value === undefined || value === null ? null : String(value)}
        onChange={(v) => onChange(v ?? (nullable ? null : undefined))}
        disabled={disabled}
        error={error}
        maw={480}
      />
    );
  }
  if (type === 'string') {
    const text = typeof value === 'string' ? value : '';
    const set = (v: string) => onChange(v === '' && nullable ? null : v);
    return (schema.maxLength ?? Number.POSITIVE_INFINITY) > 200 ? (
      <Textarea
        label={label}
        description={schema.description}
        placeholder={schema.placeholder}
        value={text}
        onChange={(e) => set(e.currentTarget.value)}
        maxLength={schema.maxLength}
        autosize
        minRows={2}
        disabled={disabled}
        error={error}
      />
    ) : (
      <TextInput
        label={label}
        description={schema.description}
        placeholder={schema.placeholder}
        value={text}
        onChange={(e) => set(e.currentTarget.value)}
        maxLength={schema.maxLength}
        disabled={disabled}
        error={error}
        maw={480}
      />
    );
  }
  if (type === 'integer' || type === 'number') {
    return (
      <NumberInput
        label={label}
        description={schema.description}
        value={typeof value === 'number' ? value : ''}
        onChange={(v) => onChange(typeof v === 'number' ? v : nullable ? null : undefined)}
        min={schema.minimum}
        max={schema.maximum}
        allowDecimal={type === 'number'}
        disabled={disabled}
        error={error}
        maw={240}
      />
    );
  }
  if (type === 'array') {
    const numeric = schema.items?.type === 'integer' || schema.items?.type === 'number';
    const list = Array.isArray(value) ? value.map(String) : [];
    return (
      <TagsInput
        label={label}
        description={schema.description}
        placeholder={schema.placeholder}
        value={list}
        onChange={(v) => onChange(numeric ? v.map(Number).filter(Number.isFinite) : v)}
        disabled={disabled}
        error={error}
        maw={480}
      />
    );
  }
  return (
    <Text size="sm" c="dimmed">
      {label}: this option cannot be set here; use the API.
    </Text>
  );
}

/** A choice between shapes (a discriminated union): a radio per shape, then the chosen one's fields. */
function ChoiceField({ name, schema, value, onChange, disabled, view }: FieldProps) {
  const choice = choiceOf(schema)!;
  const current = (value && typeof value === 'object' ? value : {}) as OptionValues;
  const chosen = choice.variants.find((v) => v.value === current[choice.key]);
  // What was set under each shape, so that trying another and coming back keeps it.
  const kept = useRef(new Map<string, OptionValues>());
  const pick = (next: string) => {
    if (chosen) kept.current.set(chosen.value, current);
    onChange(kept.current.get(next) ?? { [choice.key]: next });
  };
  const fields = chosen ? withoutKey(chosen.schema, choice.key) : null;
  return (
    <>
      <Radio.Group
        label={labelOf(name, schema)}
        description={schema.description}
        value={chosen?.value ?? null}
        onChange={pick}
      >
        <Stack gap={6} mt="xs">
          {choice.variants.map((v) => (
            <Radio key={v.value} value={v.value} label={v.label} disabled={disabled} />
          ))}
        </Stack>
      </Radio.Group>
      {fields && (
        <TargetOptionsForm
          schema={fields}
          values={current}
          onChange={(inner) => onChange({ ...inner, [choice.key]: chosen!.value })}
          disabled={disabled}
          view={view}
        />
      )}
    </>
  );
}

// Controls of their own, named by a schema's `widget`.

const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "About 30 min (until about 14:05)" for n emails at a rate per minute. */
function sendTime(n: number, perMinute: number): string {
  const seconds = (n / Math.max(1, perMinute)) * 60;
  return `${formatDuration(seconds)} at ${formatNumber(perMinute)} per minute (the last one around ${timeOfDay.format(new Date(Date.now() + seconds * 1000))})`;
}

/** Where invitation email goes from this server, in words. */
function mailDestination(mail: SetupStatus['mail']): string {
  const where =
    mail.transport === 'mailbox'
      ? 'No SMTP server is set, so emails stay in the local mailbox (Mail → Mailbox) and reach no one.'
      : `Emails go out through the SMTP server, from ${mail.from}.`;
  return mail.paused ? `Sending is paused: emails wait in the outbox until it resumes. ${where}` : where;
}

/** A switch for invitations, with how many emails the import would send and how long that takes. */
function InvitationsSwitch({ name, schema, value, onChange, disabled, view }: FieldProps) {
  const settings = useQuery({ queryKey: ['settings'], queryFn: readSettings, staleTime: 60_000 });
  const setup = useQuery(setupQuery);
  const toCreate = view.planned.create ?? 0;
  return (
    <Stack gap={6}>
      <Switch
        label={labelOf(name, schema)}
        checked={value === true}
        onChange={(e) => onChange(e.currentTarget.checked)}
        disabled={disabled}
      />
      {value === true && (
        <Text size="sm" data-testid="invite-estimate">
          {toCreate === 0
            ? 'No row creates a user yet, so no email would be sent.'
            : settings.data
              ? `${plural(toCreate, 'email')}: sending takes about ${sendTime(toCreate, settings.data.mailRatePerMinute)}.`
              : `${plural(toCreate, 'email')}.`}
        </Text>
      )}
      {value === true && setup.data && (
        <Text size="sm" c="dimmed" data-testid="invite-destination">
          {mailDestination(setup.data.mail)}
        </Text>
      )}
    </Stack>
  );
}

/** Groups by name, chosen from the directory's groups. */
function GroupsPicker({ name, schema, value, onChange, disabled, error }: FieldProps) {
  const groups = useQuery({ queryKey: ['groups'], queryFn: listGroups, staleTime: 60_000 });
  const ids = Array.isArray(value) ? value.map(String) : [];
  return (
    <MultiSelect
      label={labelOf(name, schema)}
      description={schema.description}
      placeholder={ids.length ? undefined : schema.placeholder}
      data={(groups.data ?? []).map((g) => ({ value: String(g.id), label: g.name }))}
      value={ids}
      onChange={(v) => onChange(v.map(Number))}
      searchable
      nothingFoundMessage="No group has this name"
      error={error}
      disabled={disabled}
      maw={480}
    />
  );
}

/** One user, found by a search of email or name. */
function UserPicker({ name, schema, value, onChange, disabled, error }: FieldProps) {
  const id = typeof value === 'number' ? String(value) : null;
  const [picked, setPicked] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  // Picking a user puts its label in the search box: that is not a new search.
  const [q] = useDebouncedValue(search === picked ? '' : search.trim(), 250);
  const users = useQuery({
    queryKey: ['users', 'search', q],
    queryFn: () => searchUsers(q),
    staleTime: 30_000,
  });
  const choices = (users.data?.items ?? []).map((u) => ({
    value: String(u.id),
    label: `${u.displayName || `${u.firstName} ${u.lastName}`.trim() || u.email} · ${u.email}`,
  }));
  if (id && !choices.some((c) => c.value === id))
    choices.unshift({ value: id, label: picked ?? `User #${id}` });
  return (
    <Select
      label={labelOf(name, schema)}
      description={schema.description}
      placeholder={schema.placeholder}
      data={choices}
      value={id}
      onChange={(v, option) => {
        onChange(v === null ? undefined : Number(v));
        setPicked(option?.label ?? null);
      }}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={users.isFetching ? 'Searching…' : 'No user matches'}
      error={error}
      disabled={disabled}
      maw={480}
    />
  );
}

const WIDGETS: Record<string, (props: FieldProps) => ReactNode> = {
  invitations: (p) => <InvitationsSwitch {...p} />,
  groups: (p) => <GroupsPicker {...p} />,
  user: (p) => <UserPicker {...p} />,
};
