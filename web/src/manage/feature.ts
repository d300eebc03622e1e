import type { Feature } from '../lib/feature';

/** Customers and sites, contacts, roles, groups, custom attributes, admins, API tokens, settings. */
export const manageFeature: Feature = { routes: [], nav: [] };
