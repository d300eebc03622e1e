import type { AttributeEntityType, RecordType } from '../../core/domain/records.js';
import type { Settings } from '../../core/domain/settings.js';
import { errors } from '../../core/errors.js';
import { GENERAL_OPTION_KEYS, type ImportTarget } from '../../core/import/target.js';
import { type ContactUsersEnv, contactUsersTarget } from '../../core/import/targets/contact-users.js';
import type { RecordsEnv } from '../../core/import/targets/owned-records.js';
import { recordAppointmentsTarget } from '../../core/import/targets/record-appointments.js';
import { recordCustomersTarget } from '../../core/import/targets/record-customers.js';
import { recordReportsTarget } from '../../core/import/targets/record-reports.js';
import { recordTasksTarget } from '../../core/import/targets/record-tasks.js';
import { type UsersEnv, usersTarget } from '../../core/import/targets/users.js';
import type { Db } from '../../storage/database.js';
import { contactsByRef } from '../../storage/targets/contacts-store.js';
import { attributesOf, recordsStore } from '../../storage/targets/records-store.js';
import { loadUsersDirectory, usersStore } from '../../storage/targets/users-store.js';
import type { AppContext } from '../context.js';
import { importInvitations } from '../invitations/invite.js';
import { settingDefaults } from '../settings.js';
import { optionNames } from './options.js';

/**
 * A target bound to the storage that serves it: the declaration (core) and its environment. The
 * engine and the use cases read targets only through the registry, so a new target is a new
 * binding registered at start-up (or by a test), and nothing else changes.
 */
export interface TargetBinding<Env> {
  target: ImportTarget<Env>;
  /**
   * The target's environment, bound to `db` (a transaction during commits and rollbacks), for an
   * admin scoped to `scopeCustomerId` (null: every customer); `settings` are
   * `settingDefaults(config)`, what invitations an import writes use until an administrator says;
   * `now` is the context's clock (what the target writes is stamped with it).
   */
  env(db: Db, scopeCustomerId: number | null, settings: Settings, now?: () => Date): Promise<Env>;
  /**
   * What the target's custom attributes extend: an attribute of this entity type becomes its field
   * `attr.<key>` (the review's "create attribute" offers it). Absent: the target takes none.
   */
  attributesOf?: AttributeEntityType;
  /** Whether the settings keep this target's imports to admins with the Administrator role (absent: never). */
  administratorOnly?(settings: Settings): boolean;
}

/** A target's environment as the use cases build it: the configuration's settings and the context's clock. */
export function envFor<Env>(
  ctx: AppContext,
  binding: TargetBinding<Env>,
  db: Db,
  scopeCustomerId: number | null,
): Promise<Env> {
  return binding.env(db, scopeCustomerId, settingDefaults(ctx.config), ctx.now);
}

// The registry holds bindings of different environment types; each is used only with its own.
// biome-ignore lint/suspicious/noExplicitAny: an existential type: Env differs per target and never escapes its binding
export type AnyBinding = TargetBinding<any>;

/** The targets this installation offers, by name. */
export class TargetRegistry {
  readonly #bindings = new Map<string, AnyBinding>();

  /**
   * Adds a target. A second target of the same name, or an option of its own named like a general
   * one (its check and commit read both side by side), is a mistake, refused at once.
   */
  register<Env>(binding: TargetBinding<Env>): this {
    const { name } = binding.target;
    if (this.#bindings.has(name)) throw new Error(`An import target named "${name}" is registered already.`);
    const clash = optionNames(binding.target).filter((o) =>
      (GENERAL_OPTION_KEYS as readonly string[]).includes(o),
    );
    if (clash.length > 0) {
      throw new Error(`The ${name} target has an option named like a general one: ${clash.join(', ')}.`);
    }
    this.#bindings.set(name, binding);
    return this;
  }

  names(): string[] {
    return [...this.#bindings.keys()];
  }

  /** The binding of a target, or the error an admin reads when naming one that does not exist. */
  get(name: string): AnyBinding {
    const binding = this.#bindings.get(name);
    if (!binding) {
      throw errors.field(
        'request.invalid',
        'target',
        `There is no import target "${name}". Targets: ${this.names().join(', ')}.`,
        { problem: 'import.unknown_target', details: { targets: this.names() } },
      );
    }
    return binding;
  }
}

/**
 * The users' directory with the users' own custom attributes only: those of record types extend
 * records, not users.
 */

const users: TargetBinding<UsersEnv> = {
  target: usersTarget,
  attributesOf: 'user',
  async env(db, scopeCustomerId, settings, now = () => new Date()) {
    return {
      directory: await loadUsersDirectory(db),
      store: usersStore(db, now),
      scopeCustomerId,
      invites: importInvitations(db, settings, now),
    };
  },
};

const contactUsers: TargetBinding<ContactUsersEnv> = {
  target: contactUsersTarget,
  // Creating portal accounts for a customer's contacts may be kept to administrators (issue 12).
  administratorOnly: (settings) => settings.contactUsersRequireAdministrator,
  async env(db, scopeCustomerId, settings, now = () => new Date()) {
    return {
      directory: await loadUsersDirectory(db),
      store: usersStore(db, now),
      contacts: (refs) => contactsByRef(db, refs),
      scopeCustomerId,
      invites: importInvitations(db, settings, now),
    };
  },
};

/** A record target bound to the records table, with the custom attributes of its type. */
function records(target: RecordsEnvTarget, type: RecordType): TargetBinding<RecordsEnv> {
  return {
    target,
    attributesOf: type,
    async env(db, scopeCustomerId, _settings, now) {
      return { store: recordsStore(db, now), scopeCustomerId, attributes: await attributesOf(db, type) };
    },
  };
}
type RecordsEnvTarget = TargetBinding<RecordsEnv>['target'];

/** The registry every process starts with: the targets built into Roster. */
export function builtInTargets(): TargetRegistry {
  return new TargetRegistry()
    .register(users)
    .register(contactUsers)
    .register(records(recordCustomersTarget, 'customers'))
    .register(records(recordAppointmentsTarget, 'appointments'))
    .register(records(recordTasksTarget, 'tasks'))
    .register(records(recordReportsTarget, 'reports'));
}
