import { Table, Text } from '@mantine/core';
import { flexRender, type Table as ReactTable } from '@tanstack/react-table';
import type { ReactNode } from 'react';

/** A TanStack table's rows, cell by cell, for the body of a Mantine table. */
export function TableRows<T>({ table }: { table: ReactTable<T> }) {
  return table.getRowModel().rows.map((row) => (
    <Table.Tr key={row.id}>
      {row.getVisibleCells().map((cell) => (
        <Table.Td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Table.Td>
      ))}
    </Table.Tr>
  ));
}

/** The one row of a table with nothing to list: a sentence across all its columns. */
export function EmptyTableRow({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={columns}>
        <Text c="dimmed" ta="center" py="md">
          {children}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}
