import type { z } from 'zod';
import type {
  LinkChecked,
  LinkPurposeSchema,
  LinkUsed,
  PortalInfo,
  PortalMe,
  PortalSignedIn,
} from '../../../src/http/portal-schemas.js';

export type PortalInfoAnswer = z.infer<typeof PortalInfo>;
export type LinkPurpose = z.infer<typeof LinkPurposeSchema>;
export type LinkCheckedAnswer = z.infer<typeof LinkChecked>;
export type LinkUsedAnswer = z.infer<typeof LinkUsed>;
export type PortalMeAnswer = z.infer<typeof PortalMe>;
export type PortalSignedInAnswer = z.infer<typeof PortalSignedIn>;
