import { Group, PasswordInput, Progress, Stack, Text } from '@mantine/core';

/** The server's rule, checked as the person types; the server checks again and has the last word. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
const MIN_DISTINCT_CHARACTERS = 5;

export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) return 'Use more different characters.';
  return null;
}

/** 0–100: length counts most, variety of kinds of characters adds to it. */
export function passwordScore(password: string): number {
  const lengthPart = Math.min(password.length / 20, 1) * 60;
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  const score = Math.min(100, Math.round(lengthPart + kinds * 10));
  return passwordProblem(password) ? Math.min(score, 30) : score;
}

function verdict(password: string): { label: string; color: string } {
  const problem = passwordProblem(password);
  if (password === '')
    return {
      label: `At least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a good password.`,
      color: 'gray',
    };
  if (problem) return { label: problem, color: 'red' };
  const score = passwordScore(password);
  if (score < 70) return { label: 'Acceptable. Longer would be stronger.', color: 'yellow' };
  return { label: 'Strong password.', color: 'green' };
}

/** A new password with a strength meter, and the same again to catch a typing slip. */
export function NewPasswordFields({
  password,
  repeat,
  onPassword,
  onRepeat,
  serverError,
}: {
  password: string;
  repeat: string;
  onPassword: (value: string) => void;
  onRepeat: (value: string) => void;
  serverError?: string | undefined;
}) {
  const score = passwordScore(password);
  const { label, color } = verdict(password);
  const mismatch = repeat !== '' && password !== repeat;
  return (
    <Stack gap="sm">
      <Stack gap={6}>
        <PasswordInput
          label="New password"
          autoComplete="new-password"
          required
          maxLength={PASSWORD_MAX_LENGTH}
          value={password}
          onChange={(e) => onPassword(e.currentTarget.value)}
          error={serverError}
          aria-describedby="password-strength"
        />
        <Progress
          value={password === '' ? 0 : Math.max(score, 8)}
          color={color}
          size="sm"
          aria-label="Password strength"
          data-testid="password-strength"
        />
        <Group gap={4}>
          <Text size="xs" c={color === 'red' ? 'red' : 'dimmed'} id="password-strength" aria-live="polite">
            {label}
          </Text>
        </Group>
      </Stack>
      <PasswordInput
        label="New password again"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(e) => onRepeat(e.currentTarget.value)}
        error={mismatch ? 'The two passwords differ.' : undefined}
      />
    </Stack>
  );
}
