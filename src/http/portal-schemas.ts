import { z } from 'zod';
import { userValuesShape } from './user-shapes.js';

/**
 * The shapes the portal's pages read: the portal's name, a link's check and the signed-in user.
 * Kept apart from the routes so that the console infers its types from them (type-only).
 */
const RefName = z.object({ id: z.number(), name: z.string() });

// A person sees every value of their account but the ids (customer and site come named).
const { customerId: _customerId, siteId: _siteId, contactId: _contactId, ...profileValues } = userValuesShape;

export const PortalInfo = z
  .object({ portalName: z.string().describe('The name people know the portal by, for titles') })
  .meta({ id: 'PortalInfo' });

export const LinkPurposeSchema = z.enum(['activation', 'reset']);

export const LinkCheck = z
  .object({
    token: z.string().max(200).describe('The token from the link in the email'),
    purpose: LinkPurposeSchema,
  })
  .strict();

export const LinkChecked = z
  .object({
    portalName: z.string(),
    email: z.string().describe('The account the link is for'),
  })
  .meta({ id: 'LinkChecked' });

export const PortalMe = z
  .object({
    user: z.object({ id: z.number(), ...profileValues, activatedAt: z.string().nullable() }),
    customer: RefName,
    site: RefName,
    roles: z.array(RefName),
    groups: z.array(RefName),
    csrfToken: z.string().describe('Send as X-CSRF-Token on every change made with the portal cookie'),
  })
  .meta({ id: 'PortalMe' });

export const PortalSignedIn = z.object({ csrfToken: z.string(), expiresAt: z.string() });
export const LinkUsed = z.object({ ok: z.literal(true), email: z.string() });
