// The console's data shapes, inferred from the API's own zod schemas (type-only: nothing from the
// server is bundled), so the browser and the API cannot drift apart.
import type { z } from 'zod';
import type {
  Admin,
  ErrorBody,
  Me,
  PortalUser,
  page,
  SignedIn,
  UserListQuery,
} from '../../src/http/schemas.js';

export type AdminInfo = z.infer<typeof Admin>;
export type MeAnswer = z.infer<typeof Me>;
export type SignedInAnswer = z.infer<typeof SignedIn>;
export type ApiError = z.infer<typeof ErrorBody>;
export type User = z.infer<typeof PortalUser>;
export type UserStatus = User['status'];
export type UserPage = z.infer<ReturnType<typeof page<typeof PortalUser>>>;
export type UserQuery = z.input<typeof UserListQuery>;
