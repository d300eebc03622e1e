import { Alert, Button, Card, Group, Radio, Stack, Switch, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/api';
import { setOptions } from '../api';
import { modeLabel } from '../labels';
import { CustomerSelect } from '../options/CustomerChoice';
import { missingChoices, type OptionSchema, type OptionValues } from '../options/schema';
import { TargetOptionsForm } from '../options/TargetOptionsForm';
import type { Import, ImportOptions, ImportOptionsChange, ImportTarget } from '../types';
import { PlannedCounts } from './RowChanges';

const ORDER_WORDS: Record<string, string> = { DMY: 'day first', MDY: 'month first', YMD: 'year first' };
const HOW_WORDS: Record<string, string> = {
  chosen: 'as chosen',
  values: 'from its values',
  'other-columns': "from the file's other date columns",
  delimiter: 'from the semicolon delimiter',
};

/** What the import decided for each date column, as the server says in `file.meta.dateOrders`. */
function dateOrderDescription(view: Import): string {
  const orders = view.file.meta.dateOrders;
  if (!Array.isArray(orders) || orders.length === 0)
    return 'No column of this file is mapped to a date field.';
  return (orders as { column: string; order: string | null; how: string }[])
    .map((o) =>
      o.order === null
        ? `"${o.column}": nothing in the file tells; choose the order`
        : `"${o.column}": ${ORDER_WORDS[o.order] ?? o.order} (${HOW_WORDS[o.how] ?? o.how})`,
    )
    .join(' · ');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Step 5: how rows are written. The general options, then the target's own, drawn from the schema
 * the target declares. Changing them checks every row again (the mode decides conflicts).
 */
export function OptionsStep({
  view,
  target,
  canRun,
  onBack,
  onNext,
  nextLabel = 'Next: review',
}: {
  view: Import;
  target: ImportTarget;
  canRun: boolean;
  onBack: () => void;
  onNext: () => void;
  nextLabel?: string;
}) {
  const queryClient = useQueryClient();
  const [options, setLocal] = useState<ImportOptions>(view.options);
  const set = (patch: Partial<ImportOptions>) => setLocal((o) => ({ ...o, ...patch }));
  const schema = target.options as OptionSchema;
  const missing = missingChoices(schema, options.targetOptions);

  const save = useMutation({
    mutationFn: async () => {
      if (missing.length > 0) throw new Error(missing[0]);
      // Only what changed: every row is checked again under new options, not worth it for nothing.
      const change: ImportOptionsChange = {};
      if (options.mode !== view.options.mode) change.mode = options.mode;
      if (options.emptyCells !== view.options.emptyCells) change.emptyCells = options.emptyCells;
      if (options.atomic !== view.options.atomic) change.atomic = options.atomic;
      if (options.customerId !== view.options.customerId) change.customerId = options.customerId;
      if (options.dateOrder !== view.options.dateOrder) change.dateOrder = options.dateOrder;
      if (!same(options.targetOptions, view.options.targetOptions))
        change.targetOptions = options.targetOptions;
      return Object.keys(change).length === 0 ? null : setOptions(view.id, change);
    },
    onSuccess: (next) => {
      if (next) {
        queryClient.setQueryData(['import', view.id], next);
        queryClient.invalidateQueries({ queryKey: ['import-rows', view.id] });
      }
      onNext();
    },
  });

  return (
    <Card withBorder padding="lg">
      <Stack gap="lg">
        <Title order={3}>Options</Title>
        <CustomerSelect
          value={options.customerId}
          onChange={(customerId) => set({ customerId })}
          disabled={!canRun}
        />
        <Radio.Group
          label="Mode"
          description="What happens to rows whose record already exists (matched by its key)"
          value={options.mode}
          onChange={(v) => set({ mode: v as ImportOptions['mode'] })}
        >
          <Stack gap={6} mt="xs">
            {target.modes.map((m) => (
              <Radio key={m} value={m} label={modeLabel(m, target.label.toLowerCase())} disabled={!canRun} />
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
        <Radio.Group
          label="Dates like 03/04/2025"
          description={dateOrderDescription(view)}
          value={options.dateOrder}
          onChange={(v) => set({ dateOrder: v as ImportOptions['dateOrder'] })}
        >
          <Group gap="md" mt="xs">
            <Radio value="auto" label="Tell from the file" disabled={!canRun} />
            <Radio value="DMY" label="Day first" disabled={!canRun} />
            <Radio value="MDY" label="Month first" disabled={!canRun} />
            <Radio value="YMD" label="Year first" disabled={!canRun} />
          </Group>
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
        <TargetOptionsForm
          schema={schema}
          values={options.targetOptions}
          onChange={(targetOptions: OptionValues) => set({ targetOptions })}
          disabled={!canRun}
          view={view}
        />
        {view.rows.total > 0 && <PlannedCounts view={view} />}
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
            disabled={canRun && missing.length > 0}
          >
            {nextLabel}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
