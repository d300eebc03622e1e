import { Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { type ParamChanges, useQueryParams, useSearchBox } from '../lib/url-params';
import { PageHeader } from '../manage/ui';
import { RECORD_TYPE_LABELS } from './labels';
import { RecordsTable } from './RecordsTable';
import type { RecordType } from './types';

const TYPES = Object.keys(RECORD_TYPE_LABELS) as RecordType[];

/** Records of every portal user: customers, appointments, tasks and visit reports. */
export function RecordsPage() {
  const [searchParams, updateParams] = useQueryParams();
  const type = (searchParams.get('type') ?? '') as RecordType | '';
  const q = searchParams.get('q') ?? '';
  const filterBy = (changes: ParamChanges) => updateParams(changes);
  const search = useSearchBox('q', searchParams, filterBy);
  return (
    <Stack gap="md">
      <PageHeader
        title="Records"
        subtitle="Customers, appointments, tasks and visit reports of portal users"
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" maw={900}>
        <TextInput label="Search" placeholder="Name, subject, title or key" {...search.inputProps} />
        <Select
          label="Type"
          placeholder="All types"
          data={TYPES.map((t) => ({ value: t, label: RECORD_TYPE_LABELS[t] }))}
          value={type || null}
          onChange={(value) => filterBy({ type: value })}
          clearable
        />
      </SimpleGrid>
      <RecordsTable filter={{ ...(type && { type }), ...(q && { q }) }} />
    </Stack>
  );
}
