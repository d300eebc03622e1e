import type { Db } from '../database.js';

/** What the first-run checklist looks at, in one round of small existence queries. */
export interface SetupFacts {
  portalNameStored: boolean;
  customerWithSite: boolean;
  activeRole: boolean;
  committedImport: boolean;
}

export async function readSetupFacts(db: Db): Promise<SetupFacts> {
  const [portalName, site, role, committed] = await Promise.all([
    db.selectFrom('settings').select('key').where('key', '=', 'portalName').executeTakeFirst(),
    db.selectFrom('sites').select('id').limit(1).executeTakeFirst(),
    db.selectFrom('portal_roles').select('id').where('active', '=', 1).limit(1).executeTakeFirst(),
    db
      .selectFrom('imports')
      .select('id')
      .where('status', 'in', ['completed', 'partly_committed'])
      .limit(1)
      .executeTakeFirst(),
  ]);
  return {
    portalNameStored: portalName !== undefined,
    // Every site belongs to a customer: a site means a customer with its sites.
    customerWithSite: site !== undefined,
    activeRole: role !== undefined,
    committedImport: committed !== undefined,
  };
}
