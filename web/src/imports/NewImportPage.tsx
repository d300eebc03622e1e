import {
  Alert,
  Anchor,
  Button,
  Card,
  Checkbox,
  Group,
  List,
  Loader,
  Radio,
  Select,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useSession } from '../auth/session';
import { describeError } from '../lib/api';
import { FileDrop } from '../lib/FileDrop';
import { formatNumber } from '../lib/format';
import { idParam } from '../lib/url-params';
import { listCustomers, listTargets, readSettings, templateUrl, uploadImport } from './api';
import { formatBytes, type StepKey } from './labels';
import { WizardSteps } from './WizardSteps';

const ACCEPTED = 'CSV, TSV, TXT, XLSX or ODS';

/**
 * Steps 1–3 of the wizard: what to import (and for which customer), the template, the upload. The
 * pages an import starts from link here with `?customerId=` (a customer's page) or `?target=`.
 */
export function NewImportPage() {
  const me = useSession();
  const scopedTo = me.admin.customerId;
  const [, navigate] = useLocation();
  const asked = new URLSearchParams(useSearch());
  const askedCustomer = idParam(asked.get('customerId'));
  const queryClient = useQueryClient();
  const [step, setStep] = useState<StepKey>('target');
  const [target, setTarget] = useState(asked.get('target') ?? 'users');
  const [customerId, setCustomerId] = useState<string | null>(
    scopedTo !== null ? String(scopedTo) : askedCustomer !== undefined ? String(askedCustomer) : null,
  );
  const [includeExisting, setIncludeExisting] = useState(false);

  const targets = useQuery({ queryKey: ['import-targets'], queryFn: listTargets, staleTime: 60_000 });
  const customers = useQuery({ queryKey: ['customers', 'all'], queryFn: listCustomers, staleTime: 60_000 });
  const settings = useQuery({ queryKey: ['settings'], queryFn: readSettings, staleTime: 60_000 });

  const send = useMutation({
    mutationFn: (file: File) =>
      uploadImport(file, target, { customerId: customerId === null ? null : Number(customerId) }),
    onSuccess: (created) => {
      queryClient.setQueryData(['import', created.id], created);
      queryClient.invalidateQueries({ queryKey: ['imports'] });
      navigate(`/imports/${created.id}?step=map`);
    },
  });

  const targetInfo = targets.data?.find((t) => t.name === target);
  const customerName =
    customers.data?.find((c) => String(c.id) === customerId)?.name ??
    (customerId ? `Customer #${customerId}` : null);

  return (
    <Stack gap="lg" maw={960}>
      <Title order={2}>New import</Title>
      <WizardSteps active={step} />

      {step === 'target' && (
        <Card withBorder padding="lg">
          <Stack gap="md">
            <Title order={3}>What do you import?</Title>
            {targets.isPending && <Loader size="sm" />}
            {targets.isError && (
              <Alert color="red" role="alert">
                {describeError(targets.error)}
              </Alert>
            )}
            {targets.data && (
              <Radio.Group label="Target" value={target} onChange={setTarget} withAsterisk>
                <Stack gap="sm" mt="xs">
                  {targets.data.map((t) => (
                    <Radio key={t.name} value={t.name} label={t.label} description={t.description} />
                  ))}
                </Stack>
              </Radio.Group>
            )}
            {scopedTo === null ? (
              <Select
                label="Customer"
                description="The customer of rows whose file does not name one. Leave empty to take it from the file."
                placeholder="From the file"
                data={(customers.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
                value={customerId}
                onChange={setCustomerId}
                searchable
                clearable
                maw={420}
                nothingFoundMessage="No customer has this name"
              />
            ) : (
              <Text size="sm">
                Customer: <b>{customerName}</b> (your account is limited to this customer)
              </Text>
            )}
            <Group justify="flex-end">
              <Button onClick={() => setStep('template')} disabled={!targetInfo}>
                Next: template
              </Button>
            </Group>
          </Stack>
        </Card>
      )}

      {step === 'template' && (
        <Card withBorder padding="lg">
          <Stack gap="md">
            <Title order={3}>Start from a template (optional)</Title>
            <Text size="sm">
              The template has one column per field of {targetInfo?.label ?? target}: the first row names the
              fields, the second says which are required and what values they allow, your data starts on row
              3. In the XLSX one, fields with a fixed set of values (and, for the customer chosen, its sites
              and the active roles) offer them in a drop-down list. An uploaded template maps itself.
            </Text>
            <Checkbox
              label="Include existing users"
              description="Fill the template with current data: edit it and upload it again to update those users."
              checked={includeExisting}
              onChange={(e) => setIncludeExisting(e.currentTarget.checked)}
            />
            <Group gap="sm">
              <Button
                component="a"
                href={templateUrl(target, 'xlsx', includeExisting, customerId)}
                download
                variant="light"
              >
                Download template (XLSX)
              </Button>
              <Button
                component="a"
                href={templateUrl(target, 'csv', includeExisting, customerId)}
                download
                variant="light"
              >
                Download template (CSV)
              </Button>
            </Group>
            {targetInfo && (
              <Text size="sm" c="dimmed">
                Required fields:{' '}
                {targetInfo.fields
                  .filter((f) => f.required)
                  .map((f) => f.column)
                  .join(', ') || 'none'}
              </Text>
            )}
            <Group justify="space-between">
              <Button variant="default" onClick={() => setStep('target')}>
                Back
              </Button>
              <Button onClick={() => setStep('upload')}>Next: upload</Button>
            </Group>
          </Stack>
        </Card>
      )}

      {step === 'upload' && (
        <Card withBorder padding="lg">
          <Stack gap="md">
            <Title order={3}>Upload your file</Title>
            <List size="sm" spacing={2} aria-label="Limits">
              <List.Item>File types: {ACCEPTED}</List.Item>
              <List.Item>
                Largest file: {settings.data ? formatBytes(settings.data.importMaxFileBytes) : '…'}
              </List.Item>
              <List.Item>
                Most rows: {settings.data ? formatNumber(settings.data.importMaxRows) : '…'} (a larger file
                goes in parts with <code>roster import FILE --split</code>)
              </List.Item>
              <List.Item>
                A workbook's rows must be on one sheet: the first sheet that has data is read.
              </List.Item>
            </List>
            <FileDrop
              onFile={(file) => send.mutate(file)}
              loading={send.isPending}
              label="Upload a file: drop it here or press Enter to choose one"
              testId="upload-dropzone"
            >
              <Stack align="center" gap={4} py="xl" style={{ pointerEvents: 'none' }}>
                <Text size="lg" fw={500} ta="center">
                  Drag a file here or click to choose one
                </Text>
                <Text size="sm" c="dimmed" ta="center">
                  It is read and checked first: nothing changes until you commit.
                </Text>
              </Stack>
            </FileDrop>
            {send.isPending && (
              <Text size="sm" aria-live="polite">
                Reading and checking the file…
              </Text>
            )}
            {send.isError && (
              <Alert color="red" title="This file was not accepted" role="alert" data-testid="upload-error">
                {describeError(send.error)}
              </Alert>
            )}
            <Group justify="space-between">
              <Button variant="default" onClick={() => setStep('template')}>
                Back
              </Button>
              <Anchor component={Link} href="/imports" size="sm">
                Cancel
              </Anchor>
            </Group>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
