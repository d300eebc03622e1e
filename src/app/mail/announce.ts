import type { Db } from '../../storage/database.js';

/**
 * "Mail was queued", said inside the transaction that queued it, so that it is heard when (and
 * only if) that mail is committed. With DATABASE_URL the process's job queue carries it (a pg-boss
 * job written in the same transaction, taken by one worker process, which wakes its mail worker);
 * on the embedded default it wakes this process's own mail worker. The outbox stays the record of
 * what to send: a wake-up that is lost or heard twice only changes when a worker looks, never what
 * it sends; workers also look on their own every MAIL_POLL_SECONDS.
 *
 * Process-wide because the import targets write invitations through a port bound to a bare
 * transaction (no context); a process runs one job queue, which installs the announcer.
 */
export type MailAnnouncer = (db: Db) => Promise<void>;

let current: MailAnnouncer | null = null;

/** Installs this process's announcer; answers a function that removes it again (if still current). */
export function installMailAnnouncer(announcer: MailAnnouncer): () => void {
  current = announcer;
  return () => {
    if (current === announcer) current = null;
  };
}

/** Tells the workers that `db`'s transaction queued mail. Nothing to do without a job queue. */
export async function announceQueuedMail(db: Db): Promise<void> {
  if (current) await current(db);
}
