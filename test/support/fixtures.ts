import type { AppContext } from '../../src/app/context.js';
import { createCustomer, createSite } from '../../src/app/customers.js';
import { createGroup, createRole } from '../../src/app/roles.js';
import { SYSTEM_ACTOR } from '../../src/core/access/policy.js';
import type { Customer } from '../../src/core/domain/entities.js';
import { listSites } from '../../src/storage/queries/customers.js';
import { updateUser } from '../../src/storage/queries/user-writes.js';

export interface World {
  acme: Customer;
  globex: Customer;
  acmeHq: number;
  acmeNorth: number;
  globexHq: number;
  roles: { manager: number; engineer: number; retired: number };
  groups: { field: number };
}

/** Two customers with sites, three roles (one inactive) and a group: enough to test rules against. */
export async function buildWorld(ctx: AppContext): Promise<World> {
  const acme = await createCustomer(ctx, SYSTEM_ACTOR, { name: 'Acme', externalId: 'A-1' });
  const globex = await createCustomer(ctx, SYSTEM_ACTOR, { name: 'Globex', externalId: 'G-1' });
  const north = await createSite(ctx, SYSTEM_ACTOR, acme.id, { name: 'North' });
  const acmeHq = (await listSites(ctx.db, acme.id)).find((s) => s.name === 'HQ')!.id;
  const globexHq = (await listSites(ctx.db, globex.id)).find((s) => s.name === 'HQ')!.id;
  const manager = await createRole(ctx, SYSTEM_ACTOR, { name: 'Manager' });
  const engineer = await createRole(ctx, SYSTEM_ACTOR, { name: 'Engineer' });
  const retired = await createRole(ctx, SYSTEM_ACTOR, { name: 'Retired', active: false });
  const field = await createGroup(ctx, SYSTEM_ACTOR, { name: 'Field', roleIds: [engineer.id] });
  return {
    acme,
    globex,
    acmeHq,
    acmeNorth: north.id,
    globexHq,
    roles: { manager: manager.id, engineer: engineer.id, retired: retired.id },
    groups: { field: field.id },
  };
}

/**
 * Gives a user an employee number another user may already hold, as data from before numbers were
 * unique can: written by the storage writer itself, past the rule every write path checks.
 */
export async function shareEmployeeNumber(
  ctx: AppContext,
  userId: number,
  employeeNumber: string,
): Promise<void> {
  await updateUser(ctx.db, userId, { employeeNumber }, new Date().toISOString());
}
