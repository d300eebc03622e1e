import type { Feature } from '../lib/feature';

/** The local mailbox and the outbox. */
export const mailFeature: Feature = { routes: [], nav: [] };
