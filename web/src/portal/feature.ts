import type { PageRoute } from '../lib/feature';

/**
 * The portal's own pages (activation, sign-in, password reset, home) for portal users, not admins:
 * they are shown without the admin session and outside the console's frame.
 */
export const portalRoutes: PageRoute[] = [];
