import { Progress, Stack, Stepper, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { STEPS, type Step, type StepKey } from './labels';

/**
 * Where the admin is in the wizard. A phone shows "Step 4 of 8 · Map" with a bar, since eight
 * labelled steps do not fit its width; wider screens show the whole stepper.
 */
export function WizardSteps({ active, steps = STEPS }: { active: StepKey; steps?: readonly Step[] }) {
  const narrow = useMediaQuery('(max-width: 48em)');
  const index = steps.findIndex((s) => s.key === active);
  if (narrow) {
    return (
      <Stack gap={4} data-testid="wizard-steps">
        <Text size="sm" fw={600} aria-current="step">
          Step {index + 1} of {steps.length} · {steps[index]?.label}
        </Text>
        <Progress value={((index + 1) / steps.length) * 100} aria-hidden="true" size="sm" />
      </Stack>
    );
  }
  return (
    <Stepper active={index} size="sm" iconSize={28} wrap data-testid="wizard-steps" aria-label="Import steps">
      {steps.map((s) => (
        <Stepper.Step key={s.key} label={s.label} aria-current={s.key === active ? 'step' : undefined} />
      ))}
    </Stepper>
  );
}
