import { z } from 'zod';

/**
 * The shapes the portal's pages read: the portal's name, a link's check and the signed-in user.
 * Kept apart from the routes so that the console infers its types from them (type-only).
 */
const RefName = z.object({ id: z.number(), name: z.string() });

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
    user: z.object({
      id: z.number(),
      email: z.string(),
      username: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      displayName: z.string(),
      userType: z.string(),
      accessLevel: z.string().nullable(),
      employeeNumber: z.string().nullable(),
      attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
      status: z.string(),
      activatedAt: z.string().nullable(),
    }),
    customer: RefName,
    site: RefName,
    roles: z.array(RefName),
    groups: z.array(RefName),
    csrfToken: z.string().describe('Send as X-CSRF-Token on every change made with the portal cookie'),
  })
  .meta({ id: 'PortalMe' });

export const PortalSignedIn = z.object({ csrfToken: z.string(), expiresAt: z.string() });
export const LinkUsed = z.object({ ok: z.literal(true), email: z.string() });
