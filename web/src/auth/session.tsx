import { createContext, type ReactNode, useContext } from 'react';
import type { MeAnswer, Permission } from './types';

const SessionContext = createContext<MeAnswer | null>(null);

export function SessionProvider({ me, children }: { me: MeAnswer; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

/** The signed-in admin; only pages inside the signed-in console may call it. */
export function useSession(): MeAnswer {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession() is used outside the signed-in console');
  return me;
}

/** Whether the signed-in admin holds a permission (the server checks again on every call). */
export function useCan(): (permission: Permission) => boolean {
  const me = useSession();
  return (permission) => me.permissions.includes(permission);
}
