import { get } from '../lib/api';

export type SetupStepId = 'portalName' | 'mailSender' | 'customer' | 'roles' | 'firstImport';

/** GET /api/v1/setup: the first-run checklist, computed by the server. */
export interface SetupStatus {
  complete: boolean;
  steps: { id: SetupStepId; done: boolean }[];
  mail: { transport: 'smtp' | 'mailbox'; paused: boolean; from: string };
}

export const readSetup = () => get<SetupStatus>('/api/v1/setup');
export const setupQuery = { queryKey: ['setup'], queryFn: readSetup, staleTime: 30_000 } as const;
