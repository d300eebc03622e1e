import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { describeError } from '../lib/api';
import { fieldMessagesOf } from '../lib/forms';
import { options, useAttributes, useCustomers, useGroups, useRoles, useSites } from './directory';
import type { AttributeInfo, AttributeValue, User, UserCreateInput } from './types';

/** The form's values: text as typed, ids as the Select components hold them. */
export interface UserFormValues {
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  displayName: string;
  customerId: string | null;
  siteId: string | null;
  userType: 'Standard' | 'Privileged';
  accessLevel: string;
  employeeNumber: string;
  roleIds: string[];
  groupIds: string[];
  attributes: Record<string, string | boolean>;
}

export function emptyValues(customerId: number | null): UserFormValues {
  return {
    email: '',
    username: '',
    firstName: '',
    lastName: '',
    displayName: '',
    customerId: customerId === null ? null : String(customerId),
    siteId: null,
    userType: 'Standard',
    accessLevel: '',
    employeeNumber: '',
    roleIds: [],
    groupIds: [],
    attributes: {},
  };
}

export function valuesOf(user: User): UserFormValues {
  const attributes: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(user.attributes)) {
    if (value !== null) attributes[key] = typeof value === 'boolean' ? value : String(value);
  }
  return {
    email: user.email,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    customerId: String(user.customer.id),
    siteId: String(user.site.id),
    userType: user.userType,
    accessLevel: user.accessLevel ?? '',
    employeeNumber: user.employeeNumber ?? '',
    roleIds: user.roles.map((r) => String(r.id)),
    groupIds: user.groups.map((g) => String(g.id)),
    attributes,
  };
}

function attributeValue(def: AttributeInfo, raw: string | boolean | undefined): AttributeValue {
  if (def.type === 'boolean') return raw === true;
  if (raw === undefined || raw === '' || typeof raw === 'boolean') return null;
  if (def.type === 'number') {
    const n = Number(raw);
    // Sent as typed when it is no number, so that the API's own message names the problem.
    return Number.isFinite(n) ? n : raw;
  }
  return raw;
}

const nullable = (text: string) => (text.trim() === '' ? null : text);

/** The body of a create request from the form: every field, empty ones left to the API's defaults. */
export function toInput(values: UserFormValues, definitions: AttributeInfo[]): UserCreateInput {
  const attributes: Record<string, AttributeValue> = {};
  for (const def of definitions) {
    const value = attributeValue(def, values.attributes[def.key]);
    if (value !== null) attributes[def.key] = value;
  }
  return {
    email: values.email,
    username: nullable(values.username),
    firstName: values.firstName,
    lastName: values.lastName,
    displayName: nullable(values.displayName),
    // The API names a missing customer itself; 0 is no id, so it answers with the field's problem.
    customerId: values.customerId ? Number(values.customerId) : 0,
    siteId: values.siteId ? Number(values.siteId) : null,
    userType: values.userType,
    accessLevel: nullable(values.accessLevel),
    employeeNumber: nullable(values.employeeNumber),
    roleIds: values.roleIds.map(Number),
    groupIds: values.groupIds.map(Number),
    ...(Object.keys(attributes).length > 0 && { attributes }),
  };
}

/** Only what changed, for a PATCH: an unchanged field is not sent, so nothing is rewritten by accident. */
export function toPatch(
  before: UserFormValues,
  after: UserFormValues,
  definitions: AttributeInfo[],
): Partial<UserCreateInput> {
  const a = toInput(before, definitions);
  const b = toInput(after, definitions);
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(b) as (keyof UserCreateInput)[]) {
    if (key === 'attributes') continue;
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) patch[key] = b[key];
  }
  const attributes: Record<string, AttributeValue> = {};
  for (const def of definitions) {
    const old = attributeValue(def, before.attributes[def.key]);
    const now = attributeValue(def, after.attributes[def.key]);
    if (old !== now) attributes[def.key] = now;
  }
  if (Object.keys(attributes).length > 0) patch.attributes = attributes;
  return patch as Partial<UserCreateInput>;
}

function AttributeField({
  def,
  value,
  error,
  onChange,
}: {
  def: AttributeInfo;
  value: string | boolean | undefined;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const common = {
    label: def.label,
    description: def.description || undefined,
    error,
    required: def.required,
  };
  if (def.type === 'boolean') {
    return (
      <Checkbox
        label={def.label}
        description={def.description || undefined}
        error={error}
        checked={value === true}
        onChange={(e) => onChange(e.currentTarget.checked)}
        mt="lg"
      />
    );
  }
  if (def.type === 'enum') {
    return (
      <Select
        {...common}
        data={def.options}
        value={typeof value === 'string' && value !== '' ? value : null}
        onChange={(v) => onChange(v ?? '')}
        clearable={!def.required}
        placeholder="Not set"
      />
    );
  }
  return (
    <TextInput
      {...common}
      type={def.type === 'date' ? 'date' : 'text'}
      inputMode={def.type === 'number' ? 'decimal' : undefined}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

/**
 * A portal user's fields, for creating one and for changing one. The API checks everything; its
 * messages appear next to the fields they are about, and any other problem above the buttons.
 */
export function UserForm({
  initial,
  readOnly,
  submitLabel,
  onSubmit,
  pending,
  error,
  scopedCustomerId,
}: {
  initial: UserFormValues;
  readOnly: boolean;
  submitLabel: string;
  onSubmit: (values: UserFormValues, definitions: AttributeInfo[]) => void;
  pending: boolean;
  error: unknown;
  /** A scoped admin's customer: the only one they may choose. */
  scopedCustomerId: number | null;
}) {
  const [values, setValues] = useState(initial);
  const customers = useCustomers();
  const sites = useSites(values.customerId ? Number(values.customerId) : null);
  const roles = useRoles();
  const groups = useGroups();
  const attributes = useAttributes();
  const definitions = attributes.data ?? [];

  const { fields: problems, other: aboutNoField } = fieldMessagesOf(error);
  const shown = new Set<string>();
  const fieldError = (field: string) => {
    const message = problems[field];
    if (message) shown.add(field);
    return message;
  };
  const set = <K extends keyof UserFormValues>(key: K, value: UserFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(values, definitions);
  };

  const fields = (
    <Stack gap="md">
      <Fieldset legend="Account" disabled={readOnly}>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="sm">
          <TextInput
            label="Access email"
            description="Where invitations go; unique, any case."
            required
            type="email"
            autoComplete="off"
            value={values.email}
            onChange={(e) => set('email', e.currentTarget.value)}
            error={fieldError('email')}
          />
          <TextInput
            label="Username"
            description="Left empty: made from the email."
            autoComplete="off"
            value={values.username}
            onChange={(e) => set('username', e.currentTarget.value)}
            error={fieldError('username')}
          />
          <TextInput
            label="First name"
            value={values.firstName}
            onChange={(e) => set('firstName', e.currentTarget.value)}
            error={fieldError('firstName')}
          />
          <TextInput
            label="Last name"
            value={values.lastName}
            onChange={(e) => set('lastName', e.currentTarget.value)}
            error={fieldError('lastName')}
          />
          <TextInput
            label="Display name"
            description="Left empty: first and last name."
            value={values.displayName}
            onChange={(e) => set('displayName', e.currentTarget.value)}
            error={fieldError('displayName')}
          />
          <TextInput
            label="Employee number"
            description="Kept as text: leading zeros stay."
            value={values.employeeNumber}
            onChange={(e) => set('employeeNumber', e.currentTarget.value)}
            error={fieldError('employeeNumber')}
          />
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="Organisation and access" disabled={readOnly}>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="sm">
          <Select
            label="Customer"
            required
            placeholder="Choose a customer"
            data={options(customers.data)}
            value={values.customerId}
            onChange={(v) => setValues((old) => ({ ...old, customerId: v, siteId: null }))}
            searchable
            disabled={readOnly || scopedCustomerId !== null}
            error={fieldError('customerId')}
          />
          <Select
            label="Site"
            placeholder={values.customerId ? 'HQ (the default site)' : 'Choose a customer first'}
            data={options(sites.data)}
            value={values.siteId}
            onChange={(v) => set('siteId', v)}
            disabled={readOnly || !values.customerId}
            clearable
            error={fieldError('siteId')}
          />
          <Select
            label="User type"
            data={['Standard', 'Privileged']}
            value={values.userType}
            onChange={(v) => set('userType', (v ?? 'Standard') as UserFormValues['userType'])}
            allowDeselect={false}
            error={fieldError('userType')}
          />
          <TextInput
            label="Access level"
            value={values.accessLevel}
            onChange={(e) => set('accessLevel', e.currentTarget.value)}
            error={fieldError('accessLevel')}
          />
          <MultiSelect
            label="Portal roles"
            placeholder={values.roleIds.length === 0 ? 'No roles' : undefined}
            data={(roles.data ?? []).map((r) => ({
              value: String(r.id),
              label: r.active ? r.name : `${r.name} (inactive)`,
              disabled: !r.active && !values.roleIds.includes(String(r.id)),
            }))}
            value={values.roleIds}
            onChange={(v) => set('roleIds', v)}
            searchable
            error={fieldError('roleIds')}
          />
          <MultiSelect
            label="Groups"
            placeholder={values.groupIds.length === 0 ? 'No groups' : undefined}
            data={options(groups.data)}
            value={values.groupIds}
            onChange={(v) => set('groupIds', v)}
            searchable
            error={fieldError('groupIds')}
          />
        </SimpleGrid>
      </Fieldset>
      {definitions.length > 0 && (
        <Fieldset legend="Custom attributes" disabled={readOnly}>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="sm">
            {definitions.map((def) => (
              <AttributeField
                key={def.id}
                def={def}
                value={values.attributes[def.key]}
                error={fieldError(`attributes.${def.key}`)}
                onChange={(v) =>
                  setValues((old) => ({ ...old, attributes: { ...old.attributes, [def.key]: v } }))
                }
              />
            ))}
          </SimpleGrid>
        </Fieldset>
      )}
    </Stack>
  );

  // Problems about no field on this form (or a whole-request error) are shown above the buttons.
  const unshown = [
    ...Object.entries(problems)
      .filter(([field]) => !shown.has(field))
      .map(([field, message]) => `${field}: ${message}`),
    ...aboutNoField,
  ];
  const general = error && (Object.keys(problems).length === 0 || unshown.length > 0);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {fields}
        {Boolean(general) && (
          <Alert color="red" role="alert" title="The user was not saved">
            {unshown.length > 0 ? unshown.join(' ') : describeError(error)}
          </Alert>
        )}
        {Boolean(error) && !general && (
          <Text c="red" size="sm" role="alert">
            The user was not saved: correct the fields marked above.
          </Text>
        )}
        {!readOnly && (
          <Group>
            <Button type="submit" loading={pending}>
              {submitLabel}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
