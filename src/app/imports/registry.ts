import type { Settings } from '../../core/domain/settings.js';
import { errors } from '../../core/errors.js';
import type { ImportTarget } from '../../core/import/target.js';
import { type ContactUsersEnv, contactUsersTarget } from '../../core/import/targets/contact-users.js';
import { type UsersEnv, usersTarget } from '../../core/import/targets/users.js';
import type { Db } from '../../storage/database.js';
import { contactsByRef } from '../../storage/targets/contacts-store.js';
import { loadUsersDirectory, usersStore } from '../../storage/targets/users-store.js';
import { importInvitations } from '../invitations/invite.js';

/**
 * The targets this installation offers, each bound to the storage that serves it. Adding a target
 * adds an entry here; the engine and the use cases stay as they are.
 */
export interface TargetBinding<Env> {
  target: ImportTarget<Env>;
  /**
   * The target's environment, bound to `db` (a transaction during commits); `settings` are
   * `settingDefaults(config)`, what invitations an import writes use until an administrator says.
   */
  env(db: Db, scopeCustomerId: number | null, settings: Settings): Promise<Env>;
}

function bind<Env>(binding: TargetBinding<Env>): TargetBinding<Env> {
  return binding;
}

const users = bind<UsersEnv>({
  target: usersTarget,
  async env(db, scopeCustomerId, settings) {
    return {
      directory: await loadUsersDirectory(db),
      store: usersStore(db),
      scopeCustomerId,
      invites: importInvitations(db, settings),
    };
  },
});

const contactUsers = bind<ContactUsersEnv>({
  target: contactUsersTarget,
  async env(db, scopeCustomerId, settings) {
    return {
      directory: await loadUsersDirectory(db),
      store: usersStore(db),
      contacts: (refs) => contactsByRef(db, refs),
      scopeCustomerId,
      invites: importInvitations(db, settings),
    };
  },
});

// The registry holds bindings of different environment types; each is used only with its own.
// biome-ignore lint/suspicious/noExplicitAny: an existential type: Env differs per target and never escapes its binding
export type AnyBinding = TargetBinding<any>;

const TARGETS: Record<string, AnyBinding> = {
  users,
  'contact-users': contactUsers,
};

export function targetNames(): string[] {
  return Object.keys(TARGETS);
}

export function bindingFor(name: string): AnyBinding {
  const binding = TARGETS[name];
  if (!binding) {
    throw errors.field(
      'request.invalid',
      'target',
      `There is no import target "${name}". Targets: ${targetNames().join(', ')}.`,
      { problem: 'import.unknown_target', details: { targets: targetNames() } },
    );
  }
  return binding;
}
