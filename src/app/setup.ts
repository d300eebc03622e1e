import { type Actor, authorize } from '../core/access/policy.js';
import { readMailState } from '../storage/queries/outbox.js';
import { readSetupFacts } from '../storage/queries/setup.js';
import type { AppContext } from './context.js';
import { readSettings } from './settings.js';

export const SETUP_STEPS = ['portalName', 'mailSender', 'customer', 'roles', 'firstImport'] as const;
export type SetupStepId = (typeof SETUP_STEPS)[number];

export interface SetupStatus {
  /** Every step done: the console stops showing the checklist. */
  complete: boolean;
  steps: { id: SetupStepId; done: boolean }[];
  /** Where invitation email goes now, for the import options to say so. */
  mail: { transport: 'smtp' | 'mailbox'; paused: boolean; from: string };
}

/** The sender Roster starts with: mail from it rarely reaches anyone, so it counts as not set. */
const placeholderSender = (from: string) => /@localhost\b/i.test(from);

/** The first-run checklist, computed from what exists: nothing is stored about the checklist itself. */
export async function setupStatus(ctx: AppContext, actor: Actor): Promise<SetupStatus> {
  authorize(actor, 'settings.read');
  const [facts, mailState, settings] = await Promise.all([
    readSetupFacts(ctx.db),
    readMailState(ctx.db),
    readSettings(ctx),
  ]);
  const done: Record<SetupStepId, boolean> = {
    portalName: facts.portalNameStored,
    mailSender: !placeholderSender(settings.mailFrom),
    customer: facts.customerWithSite,
    roles: facts.activeRole,
    firstImport: facts.committedImport,
  };
  const steps = SETUP_STEPS.map((id) => ({ id, done: done[id] }));
  return {
    complete: steps.every((s) => s.done),
    steps,
    mail: {
      transport: ctx.config.mail.smtpUrl ? 'smtp' : 'mailbox',
      paused: mailState.paused,
      from: settings.mailFrom,
    },
  };
}
