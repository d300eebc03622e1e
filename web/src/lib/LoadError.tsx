import { Alert } from '@mantine/core';
import { describeError } from './api';

/** A load failure, in words. */
export function LoadError({ what, error }: { what: string; error: unknown }) {
  return (
    <Alert color="red" title={`Could not load ${what}`} role="alert">
      {describeError(error)}
    </Alert>
  );
}
