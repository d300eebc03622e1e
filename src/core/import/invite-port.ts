/**
 * What the user import targets need to invite the users they create: bound by the application
 * layer to the batch's transaction, so the invitations and their emails land with the users.
 */
export interface InvitePort {
  /** Invites these new users (an invitation and its queued email each), in the caller's transaction. */
  inviteCreated(userIds: readonly number[], importId: number, message: string | null): Promise<void>;
}
