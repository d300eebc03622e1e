import type { z } from 'zod';
import type { Permission as ServerPermission } from '../../../src/core/access/policy.js';
import type { Admin, Me, SignedIn } from '../../../src/http/schemas.js';

export type Permission = ServerPermission;
export type AdminInfo = z.infer<typeof Admin>;
export type MeAnswer = z.infer<typeof Me>;
export type SignedInAnswer = z.infer<typeof SignedIn>;
