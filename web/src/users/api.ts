import { get } from '../lib/api';
import type { UserPage, UserQuery } from './types';

export const listUsers = (query: UserQuery) => get<UserPage>('/api/v1/users', query);
