import { type Actor, authorize, type Permission } from '../../core/access/policy.js';
import type { AttributeType } from '../../core/domain/attributes.js';
import { errors } from '../../core/errors.js';
import { revalidateAll, revalidateRows } from '../../core/import/engine.js';
import { checkMapping, describeMapping, mappingNeeds } from '../../core/import/mapping.js';
import { transition } from '../../core/import/status.js';
import { runOptions } from '../../core/import/target.js';
import { isUniqueViolation } from '../../storage/errors.js';
import * as fixes from '../../storage/queries/import-fixes.js';
import * as imports from '../../storage/queries/imports.js';
import { attributeKeyTaken, checkNewAttribute, writeAttribute } from '../attributes.js';
import type { AppContext } from '../context.js';
import { siteNameOf, siteNameTaken, visibleCustomer, writeSite } from '../customers.js';
import { groupNameTaken, requiredName, roleNameTaken, writeGroup, writeRole } from '../roles.js';
import { visibleImport } from './access.js';
import { dateOrdersOf } from './date-orders.js';
import { columnOf, type FixView, recordFix } from './fixes.js';
import { editImport, getImport, planFor, saveDateOrders } from './manage-import.js';
import { stagingFor } from './staging.js';
import type { ImportView } from './view.js';

/**
 * "Create what is missing" from the review: a site of a customer, a portal role or a group that
 * rows name but that does not exist, or a custom attribute for a column no field takes (the column
 * is then mapped to it). The thing is created in the same transaction as the re-check of the rows
 * it concerns, and kept in the import's fix history (kind `create`): a refusal changes nothing.
 */
export type MissingInput =
  /** A site named in `column`, for `customerId` (default: the import's customer). */
  | { kind: 'site'; column: string; name: string; customerId?: number }
  | { kind: 'role'; column: string; name: string }
  | { kind: 'group'; column: string; name: string }
  /** An attribute for the unmapped `column`, which is then mapped to it. */
  | {
      kind: 'attribute';
      column: string;
      key: string;
      label?: string;
      type?: AttributeType;
      options?: string[];
    };

/** Who may create each kind: the permission of the page that creates it otherwise. */
const PERMISSION: Record<MissingInput['kind'], Permission> = {
  site: 'customers.manage',
  role: 'config.manage',
  group: 'config.manage',
  attribute: 'config.manage',
};

export async function createMissing(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: MissingInput,
): Promise<{ fix: FixView; import: ImportView }> {
  authorize(actor, 'imports.run');
  authorize(actor, PERMISSION[input.kind]);
  const seen = await visibleImport(ctx, actor, id, 'imports.run');
  const event = input.kind === 'attribute' ? 'map' : 'edit_rows';
  transition(seen.status, event); // the precise refusal before anything is created
  const column = columnOf(seen.header, input.column);

  // Checked before the transaction: they read with the context's connection, which SQLite's
  // transaction holds.
  let name = '';
  let customerId: number | null = null;
  if (input.kind === 'site') {
    name = siteNameOf(input.name);
    customerId = input.customerId ?? seen.customerId ?? actor.customerId;
    if (customerId === null) {
      throw errors.field(
        'request.invalid',
        'customerId',
        'This import has no customer: say which customer the site is for.',
        { problem: 'customer.required' },
      );
    }
    await visibleCustomer(ctx, actor, customerId);
  } else if (input.kind !== 'attribute') {
    name = requiredName(input.name, input.kind === 'role' ? 'role' : 'group');
  }
  const attribute =
    input.kind === 'attribute'
      ? checkNewAttribute({
          key: input.key,
          label: input.label ?? column.name,
          type: input.type ?? 'text',
          ...(input.options !== undefined && { options: input.options }),
          entityType: ctx.targets.get(seen.target).attributesOf ?? 'user',
        })
      : null;
  if (attribute && !ctx.targets.get(seen.target).attributesOf) {
    throw errors.field('request.invalid', 'kind', 'This import’s target takes no custom attributes.', {
      problem: 'import.no_attributes',
    });
  }

  const complete = async (rec: imports.ImportRecord, db: AppContext['db']) => {
    const plan = await planFor(ctx, rec, db);
    return describeMapping(rec.header, plan.fields, rec.mapping, mappingNeeds(plan.target, rec.options))
      .complete;
  };
  try {
    const fix = await editImport(
      ctx,
      actor,
      id,
      event,
      async (db, rec) => {
        const at = ctx.now().toISOString();
        let details: Record<string, unknown>;
        let checked: number;
        if (attribute) {
          if ((rec.mapping.columns[column.index] ?? null) !== null) {
            throw errors.field(
              'request.invalid',
              'column',
              `The column "${column.name}" is mapped already; an attribute is created for an unmapped column.`,
              { problem: 'import.column_mapped' },
            );
          }
          const def = await writeAttribute(ctx, db, actor, attribute);
          const field = `attr.${def.key}`;
          const columns = [...rec.mapping.columns];
          columns[column.index] = field;
          const mapping = { ...rec.mapping, columns };
          const plan = await planFor(ctx, rec, db, mapping);
          if (
            !plan.fields.some((f) => f.key === field) ||
            checkMapping(rec.header, plan.fields, mapping).length > 0
          ) {
            throw errors.field('request.invalid', 'kind', 'This import’s target takes no such attribute.', {
              problem: 'import.no_attributes',
            });
          }
          await imports.updateImport(db, id, { mapping }, at);
          const current = {
            ...plan,
            options: runOptions(rec.options),
            dates: dateOrdersOf(rec.options, rec.file.meta),
          };
          await revalidateAll(current, stagingFor(db, id));
          await saveDateOrders(db, id, rec, current, at);
          details = { what: 'attribute', id: def.id, key: def.key, label: def.label, type: def.type, field };
          checked = rec.rows.total;
        } else {
          let created: { id: number };
          if (input.kind === 'site') created = await writeSite(ctx, db, actor, customerId!, name);
          else if (input.kind === 'role') created = await writeRole(ctx, db, actor, { name });
          else created = { id: await writeGroup(ctx, db, actor, { name }) };
          const rows = await fixes.rowsWithProblemOn(db, id, column.name);
          const plan = await planFor(ctx, rec, db);
          await revalidateRows(plan, stagingFor(db, id), rows, column.index);
          details = {
            what: input.kind,
            id: created.id,
            name,
            ...(customerId !== null && { customerId }),
          };
          checked = rows.length;
        }
        return recordFix(ctx, db, actor, rec, {
          kind: 'create',
          column,
          details,
          rowsChanged: checked,
          audited: details,
        });
      },
      event === 'map' ? complete : undefined,
    );
    return { fix, import: await getImport(ctx, actor, id) };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    if (input.kind === 'site') throw siteNameTaken(name);
    if (input.kind === 'role') throw roleNameTaken(name);
    if (input.kind === 'group') throw groupNameTaken(name);
    throw attributeKeyTaken(input.key);
  }
}
