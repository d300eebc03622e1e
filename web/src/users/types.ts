import type { z } from 'zod';
import type { PortalUser, UserListQuery } from '../../../src/http/schemas.js';
import type { Page } from '../lib/types';

export type User = z.infer<typeof PortalUser>;
export type UserStatus = User['status'];
export type UserPage = Page<typeof PortalUser>;
export type UserQuery = Partial<z.output<typeof UserListQuery>>;
