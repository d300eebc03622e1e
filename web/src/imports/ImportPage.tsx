import { Alert, Anchor, Badge, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useLocation, useParams, useSearch } from 'wouter';
import { useCan } from '../auth/session';
import { describeError, HttpError } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { getImport, listTargets } from './api';
import { DiscardImport } from './DiscardImport';
import { ImportDetails } from './ImportDetails';
import { GROUPED_STEPS, STATUS_COLORS, STATUS_LABELS, STEPS, type StepKey } from './labels';
import { OwnerPreviewStep } from './owners/OwnerPreviewStep';
import { OwnersStep } from './owners/OwnersStep';
import { SummaryStep } from './owners/SummaryStep';
import { groupedByOf, isPartlyCommitted } from './owners/types';
import { CommitStep } from './steps/CommitStep';
import { MapStep } from './steps/MapStep';
import { OptionsStep } from './steps/OptionsStep';
import { ResultsStep } from './steps/ResultsStep';
import { ReviewStep } from './steps/ReviewStep';
import type { Import } from './types';
import { WizardSteps } from './WizardSteps';

const WRITING: readonly Import['status'][] = ['queued', 'committing', 'cancelling', 'rolling_back'];

/**
 * The step an import is at. Its status decides once it is committed; before that the admin moves
 * between map, options and review, and the address (`?step=`) keeps the place across a reload.
 */
function currentStep(status: Import['status'], asked: string | null): StepKey {
  if (status === 'mapping_required') return 'map';
  if (status === 'validated') return asked === 'options' || asked === 'review' ? asked : 'map';
  if (status === 'queued' || status === 'committing' || status === 'cancelling') return 'commit';
  return 'results';
}

/** Statuses of an upload not committed yet, which can be discarded. */
const DISCARDABLE: readonly Import['status'][] = ['mapping_required', 'validated'];

/**
 * Brings the step's heading to the top of the view (below the fixed header) and focus to it when
 * the step changes, so that a step opens at its beginning rather than at the last one's scroll
 * position. The first step shown is left where the page opened.
 */
function useStepHeading(step: StepKey | null) {
  const area = useRef<HTMLDivElement>(null);
  const shown = useRef<StepKey | null>(null);
  useEffect(() => {
    if (step === null) return;
    const before = shown.current;
    shown.current = step;
    if (before === null || before === step) return;
    const heading = area.current?.querySelector<HTMLElement>('h3');
    if (!heading) return;
    const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
    const top = heading.getBoundingClientRect().top + window.scrollY - header - 16;
    window.scrollTo({ top: Math.max(0, top) });
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }, [step]);
  return area;
}

/**
 * The step of an import whose rows each belong to an owner: before any commit the admin moves
 * between map, options, the owners and the preview; once owners are committed, between the owners
 * and the preview (`?owner=` names the one previewed) until none is left, then the summary.
 */
function groupedStep(view: Import, asked: string | null): StepKey {
  const status = view.status;
  if (status === 'mapping_required') return 'map';
  if (status === 'validated')
    return asked === 'options' || asked === 'owners' || asked === 'preview' ? asked : 'map';
  if (isPartlyCommitted(view)) return asked === 'owners' ? 'owners' : 'preview';
  if (status === 'queued' || status === 'committing' || status === 'cancelling') return 'commit';
  return 'summary';
}

const idOf = (value: string | null) => {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : null;
};

/** An import: the wizard step it is at (so a link or a reload resumes it), its details and emails. */
export function ImportPage() {
  const params = useParams<{ id: string }>();
  const id = Number(params.id);
  const search = useSearch();
  const [, navigate] = useLocation();
  const can = useCan();

  const imp = useQuery({
    queryKey: ['import', id],
    queryFn: () => getImport(id),
    enabled: Number.isInteger(id) && id > 0,
    // The live stream drives the commit step; this keeps the rollback and any missed end in view.
    refetchInterval: (q) => (q.state.data && WRITING.includes(q.state.data.status) ? 2000 : false),
  });
  const targets = useQuery({ queryKey: ['import-targets'], queryFn: listTargets, staleTime: 60_000 });
  const query = new URLSearchParams(search);
  const asked = query.get('step');
  const target = targets.data?.find((t) => t.name === imp.data?.target);
  const groupedBy = groupedByOf(target);
  const step = imp.data
    ? groupedBy
      ? groupedStep(imp.data, asked)
      : currentStep(imp.data.status, asked)
    : null;
  const stepArea = useStepHeading(step);
  // Once committed, the status decides the step: an address still asking for one before the
  // commit (`?step=review`) is replaced by the import's own. (An owner-by-owner import keeps its
  // address: it names the owner previewed.)
  const stale = !groupedBy && asked !== null && (step === 'commit' || step === 'results');
  useEffect(() => {
    if (stale) navigate(`/imports/${id}`, { replace: true });
  }, [stale, id, navigate]);

  if (!Number.isInteger(id) || id <= 0 || (imp.error instanceof HttpError && imp.error.status === 404)) {
    return (
      <Stack align="flex-start">
        <Title order={2}>Import not found</Title>
        <Alert color="gray">There is no import #{params.id} that you can see.</Alert>
        <Anchor component={Link} href="/imports">
          Back to the import history
        </Anchor>
      </Stack>
    );
  }
  if (imp.isError) {
    return (
      <Alert color="red" title="Could not load this import" role="alert">
        {describeError(imp.error)}
      </Alert>
    );
  }
  if (!imp.data) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }

  const view = imp.data;
  const shownStep = groupedBy ? groupedStep(view, asked) : currentStep(view.status, asked);
  const goTo = (next: StepKey, more: Record<string, number> = {}, replace = false) => {
    const params = new URLSearchParams({ step: next });
    for (const [key, value] of Object.entries(more)) params.set(key, String(value));
    navigate(`/imports/${id}?${params}`, { replace });
  };
  const canRun = can('imports.run');
  // Mapping and options may change only while no owner was committed or skipped.
  const untouched = view.status === 'validated';

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <div style={{ minWidth: 0 }}>
          <Title order={2} style={{ overflowWrap: 'anywhere' }}>
            Import #{view.id} · {view.file.name}
          </Title>
          <Text size="sm" c="dimmed">
            {target?.label ?? view.target} · by {view.createdBy} · {formatDateTime(view.createdAt)}
          </Text>
        </div>
        <Group gap="xs">
          {canRun && DISCARDABLE.includes(view.status) && <DiscardImport view={view} />}
          <Badge color={STATUS_COLORS[view.status]} variant="light" size="lg" data-testid="import-status">
            {STATUS_LABELS[view.status]}
          </Badge>
        </Group>
      </Group>
      <WizardSteps
        active={shownStep === 'commit' && groupedBy ? 'preview' : shownStep}
        steps={groupedBy ? GROUPED_STEPS : STEPS}
      />
      {view.duplicateOf !== null && shownStep !== 'results' && (
        <Alert color="yellow" title="This file was imported before">
          The same file was already imported as{' '}
          <Anchor component={Link} href={`/imports/${view.duplicateOf}`}>
            import #{view.duplicateOf}
          </Anchor>
          . Committing it again changes only what differs now.
        </Alert>
      )}
      {view.warnings.length > 0 && (
        <Alert color="yellow" title="About this file">
          {view.warnings.join(' ')}
        </Alert>
      )}
      <div ref={stepArea} style={{ display: 'contents' }}>
        {shownStep === 'map' && target && (
          <MapStep view={view} target={target} canRun={canRun} onNext={() => goTo('options')} />
        )}
        {shownStep === 'options' && target && (
          <OptionsStep
            view={view}
            target={target}
            canRun={canRun}
            onBack={() => goTo('map')}
            onNext={() => goTo(groupedBy ? 'owners' : 'review')}
            nextLabel={groupedBy ? `Next: ${groupedBy.noun}s` : undefined}
          />
        )}
        {shownStep === 'owners' && groupedBy && (
          <OwnersStep
            view={view}
            groupedBy={groupedBy}
            canRun={canRun}
            onBack={untouched ? () => goTo('options') : null}
            onNext={() => goTo('preview')}
          />
        )}
        {shownStep === 'preview' && groupedBy && (
          <OwnerPreviewStep
            view={view}
            groupedBy={groupedBy}
            canRun={canRun}
            ownerId={idOf(query.get('owner'))}
            lastId={idOf(query.get('last'))}
            onShown={(owner) => {
              const last = idOf(query.get('last'));
              goTo('preview', { owner, ...(last ? { last } : {}) }, true);
            }}
            onBack={() => goTo('owners')}
            onCommitted={(owner) => (owner === null ? goTo('summary') : goTo('preview', { last: owner }))}
            onSkipped={() => goTo('preview')}
          />
        )}
        {shownStep === 'summary' && groupedBy && (
          <SummaryStep view={view} groupedBy={groupedBy} canRun={canRun} />
        )}
        {shownStep === 'review' && <ReviewStep view={view} canRun={canRun} onBack={() => goTo('options')} />}
        {shownStep === 'commit' && <CommitStep view={view} canRun={canRun} noun={groupedBy?.noun} />}
        {shownStep === 'results' && <ResultsStep view={view} canRun={canRun} />}
      </div>
      {(shownStep === 'map' || shownStep === 'options') && !target && targets.isPending && (
        <Loader size="sm" />
      )}
      <ImportDetails view={view} target={target} />
    </Stack>
  );
}
