import type { Db } from '../../storage/database.js';
import {
  dueInvitations,
  expireInvitations,
  markPendingWithoutOpenActivation,
} from '../../storage/queries/invitations.js';

/** Invitations expired per sweep; the next sweep (a minute later) takes the rest. */
const SWEEP_LIMIT = 5000;

/**
 * The expiry policy: an open invitation past its time expires; a user still `pending` whose
 * activation invitation expired, and who has no other open one, becomes `expired` until an
 * invitation is sent again. A reset link that runs out changes nothing about its user.
 * Re-running it changes nothing more. Answers how many of each changed.
 */
export async function expireInvitationsDue(
  db: Db,
  at: string,
): Promise<{ invitations: number; users: number }> {
  const due = await dueInvitations(db, at, SWEEP_LIMIT);
  if (due.length === 0) return { invitations: 0, users: 0 };
  await expireInvitations(
    db,
    due.map((d) => d.id),
    at,
  );
  const activations = due.filter((d) => d.purpose === 'activation').map((d) => d.userId);
  const users = await markPendingWithoutOpenActivation(db, activations, 'expired', at);
  return { invitations: due.length, users };
}
