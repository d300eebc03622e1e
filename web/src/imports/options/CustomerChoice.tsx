import { Alert, Button, Group, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSession } from '../../auth/session';
import { describeError } from '../../lib/api';
import { listCustomers, setOptions } from '../api';
import type { Import } from '../types';

/**
 * The import's customer (rows whose file names none belong to it), as a select. An admin limited
 * to one customer has no choice: that customer is always the import's.
 */
export function CustomerSelect({
  value,
  onChange,
  disabled,
}: {
  value: number | null;
  onChange: (customerId: number | null) => void;
  disabled?: boolean;
}) {
  const me = useSession();
  const customers = useQuery({ queryKey: ['customers', 'all'], queryFn: listCustomers, staleTime: 60_000 });
  if (me.admin.customerId !== null) return null;
  return (
    <Select
      label="Customer"
      description="The customer of rows whose file does not name one. Leave empty to take it from the file."
      placeholder="From the file"
      data={(customers.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
      value={value === null ? null : String(value)}
      onChange={(v) => onChange(v === null ? null : Number(v))}
      searchable
      clearable
      maw={420}
      nothingFoundMessage="No customer has this name"
      disabled={disabled}
    />
  );
}

/**
 * In the review, when rows fail only for want of a customer (a file without a Customer column and
 * none chosen): choose it here, and every row is checked again.
 */
export function CustomerFix({ view }: { view: Import }) {
  const queryClient = useQueryClient();
  const me = useSession();
  const [customerId, setCustomerId] = useState<number | null>(view.options.customerId);
  const save = useMutation({
    mutationFn: () => setOptions(view.id, { customerId }),
    onSuccess: (next) => {
      queryClient.setQueryData(['import', view.id], next);
      queryClient.invalidateQueries({ queryKey: ['import-rows', view.id] });
    },
  });
  const missing = view.errorCodes['customer.required'] ?? 0;
  if (missing === 0 || me.admin.customerId !== null) return null;
  return (
    <Alert color="yellow" title="These rows have no customer" data-testid="customer-fix">
      <Stack gap="xs">
        <Text size="sm">
          {missing.toLocaleString('en-US')} rows name no customer and none was chosen for the import. Choose
          one: every row is checked again.
        </Text>
        <Group align="flex-end" gap="sm">
          <CustomerSelect value={customerId} onChange={setCustomerId} />
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={customerId === null}>
            Use this customer
          </Button>
        </Group>
        {save.isError && (
          <Text size="sm" c="red.8" role="alert">
            {describeError(save.error)}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
