import { Select, type SelectProps } from '@mantine/core';
import { options, useCustomers } from './directory';

/** A picker of one named item (customer, site, role, group) by id; `onPick` gets the id as text, or null. */
export function IdSelect({
  items,
  selectedId,
  onPick,
  ...props
}: Omit<SelectProps, 'data' | 'value' | 'onChange'> & {
  items: { id: number; name: string }[] | undefined;
  selectedId: number | undefined;
  onPick: (id: string | null) => void;
}) {
  return (
    <Select
      data={options(items)}
      value={selectedId ? String(selectedId) : null}
      onChange={onPick}
      {...props}
    />
  );
}

/** The "Customer" filter of a list (users, the outbox): any customer while it is empty. */
export function CustomerFilter({
  selectedId,
  onPick,
}: {
  selectedId: number | undefined;
  onPick: (id: string | null) => void;
}) {
  const customers = useCustomers();
  return (
    <IdSelect
      label="Customer"
      placeholder="Any customer"
      items={customers.data}
      selectedId={selectedId}
      onPick={onPick}
      searchable
      clearable
    />
  );
}
