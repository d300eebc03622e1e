import { type Actor, type AdminRole, assertInScope, authorize } from '../core/access/policy.js';
import { checkEmail, emailKey, normalizeEmail } from '../core/domain/email.js';
import type { Admin, ApiToken } from '../core/domain/entities.js';
import { normalizeText } from '../core/domain/text.js';
import { errors } from '../core/errors.js';
import { Problems } from '../core/problems.js';
import { hashPassword, passwordProblem } from '../security/passwords.js';
import { hashSecret, newSecret } from '../security/tokens.js';
import { isUniqueViolation } from '../storage/errors.js';
import * as q from '../storage/queries/admins.js';
import { API_TOKEN_PREFIX } from './auth.js';
import type { AppContext } from './context.js';
import { visibleCustomer } from './customers.js';
import { audit, inTransaction } from './shared.js';

const adminNotFound = (id: number) => () => errors.notFound('admin', id);
const tokenNotFound = (id: number) => () => errors.notFound('token', id);

export interface AdminInput {
  email: string;
  name: string;
  role: AdminRole;
  customerId?: number | null;
  password: string;
}

/**
 * A scoped administrator manages only admins of their own customer and cannot create unscoped
 * ones (no customer means theirs); naming another customer is checked, and not found, like any
 * other object outside the scope. An unscoped administrator manages all.
 */
function effectiveScope(actor: Actor, requested: number | null | undefined): number | null {
  return requested ?? actor.customerId;
}

export async function listAdmins(ctx: AppContext, actor: Actor): Promise<Admin[]> {
  authorize(actor, 'admins.manage');
  return q.listAdmins(ctx.db, actor.customerId === null ? {} : { customerId: actor.customerId });
}

async function visibleAdmin(ctx: AppContext, actor: Actor, id: number): Promise<q.AdminRecord> {
  const admin = await q.findAdmin(ctx.db, id);
  if (!admin) throw adminNotFound(id)();
  assertInScope(actor, admin.customerId, adminNotFound(id));
  return admin;
}

export async function getAdmin(ctx: AppContext, actor: Actor, id: number): Promise<Admin> {
  authorize(actor, 'admins.manage');
  return q.publicAdmin(await visibleAdmin(ctx, actor, id));
}

function readAdminEmail(value: string, problems: Problems): { email: string; key: string } {
  const email = normalizeEmail(value);
  if (checkEmail(email) !== null)
    problems.add('email', 'email.invalid', `"${email}" is not a valid email address.`);
  return { email, key: emailKey(email) };
}

const adminEmailTaken = (email: string) =>
  errors.field('admin.email_taken', 'email', `An admin with the email ${email} exists.`);

export async function createAdmin(ctx: AppContext, actor: Actor, input: AdminInput): Promise<Admin> {
  authorize(actor, 'admins.manage');
  const customerId = effectiveScope(actor, input.customerId);
  if (customerId !== null) await visibleCustomer(ctx, actor, customerId);
  const problems = new Problems();
  const { email, key } = readAdminEmail(input.email, problems);
  const name = normalizeText(input.name);
  if (name === '') problems.add('name', 'admin.name_required', 'An admin needs a name.');
  const weak = passwordProblem(input.password);
  if (weak) problems.add('password', 'password.weak', weak);
  problems.throwIfAny();
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(ctx, async (db) => {
      const admin = await q.insertAdmin(
        db,
        { email, emailKey: key, name, role: input.role, customerId, passwordHash },
        ctx.now().toISOString(),
      );
      await audit(ctx, db, actor, {
        action: 'admin.create',
        entityType: 'admin',
        entityId: admin.id,
        customerId,
        details: { email, role: input.role },
      });
      return q.publicAdmin(admin);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw adminEmailTaken(email);
    throw e;
  }
}

export async function updateAdmin(
  ctx: AppContext,
  actor: Actor,
  id: number,
  patch: Partial<AdminInput> & { disabled?: boolean },
): Promise<Admin> {
  authorize(actor, 'admins.manage');
  const current = await visibleAdmin(ctx, actor, id);
  const problems = new Problems();
  const values: Partial<q.AdminValues> & { disabled?: boolean } = {};
  if (patch.email !== undefined) {
    const { email, key } = readAdminEmail(patch.email, problems);
    values.email = email;
    values.emailKey = key;
  }
  if (patch.name !== undefined) {
    values.name = normalizeText(patch.name);
    if (values.name === '') problems.add('name', 'admin.name_required', 'An admin needs a name.');
  }
  if (patch.role !== undefined) values.role = patch.role;
  if (patch.customerId !== undefined) {
    const scope = effectiveScope(actor, patch.customerId);
    if (scope !== null) await visibleCustomer(ctx, actor, scope);
    values.customerId = scope;
  }
  if (patch.password !== undefined) {
    const weak = passwordProblem(patch.password);
    if (weak) problems.add('password', 'password.weak', weak);
    else values.passwordHash = await hashPassword(patch.password);
  }
  if (patch.disabled !== undefined) values.disabled = patch.disabled;
  problems.throwIfAny();

  // Never leave the system without an unscoped, enabled administrator.
  const demotes =
    current.role === 'administrator' &&
    current.customerId === null &&
    !current.disabled &&
    ((values.role !== undefined && values.role !== 'administrator') ||
      (values.customerId !== undefined && values.customerId !== null) ||
      values.disabled === true);
  try {
    return await inTransaction(ctx, async (db) => {
      if (demotes && (await q.countActiveUnscopedAdministrators(db)) <= 1) {
        throw errors.conflict(
          'admin.last_administrator',
          'This is the last unscoped administrator; keep it.',
        );
      }
      const admin = await q.updateAdmin(db, id, values, ctx.now().toISOString());
      if (values.disabled || values.passwordHash) await q.deleteSessionsOf(db, id);
      await audit(ctx, db, actor, {
        action: 'admin.update',
        entityType: 'admin',
        entityId: id,
        customerId: admin.customerId,
        details: {
          fields: Object.keys(patch).filter((k) => k !== 'password'),
          passwordChanged: !!patch.password,
        },
      });
      return q.publicAdmin(admin);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw adminEmailTaken(values.email ?? '');
    throw e;
  }
}

export async function deleteAdmin(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'admins.manage');
  const current = await visibleAdmin(ctx, actor, id);
  if (actor.adminId === id)
    throw errors.conflict('admin.delete_self', 'You cannot delete your own admin account.');
  await inTransaction(ctx, async (db) => {
    if (
      current.role === 'administrator' &&
      current.customerId === null &&
      !current.disabled &&
      (await q.countActiveUnscopedAdministrators(db)) <= 1
    ) {
      throw errors.conflict('admin.last_administrator', 'This is the last unscoped administrator; keep it.');
    }
    await q.deleteAdmin(db, id);
    await audit(ctx, db, actor, {
      action: 'admin.delete',
      entityType: 'admin',
      entityId: id,
      customerId: current.customerId,
      details: { email: current.email },
    });
  });
}

// API tokens: each acts as the admin it belongs to, with that admin's role and scope.

export async function listTokens(ctx: AppContext, actor: Actor): Promise<ApiToken[]> {
  authorize(actor, 'admins.manage');
  if (actor.customerId === null) return q.listTokens(ctx.db, {});
  const admins = await q.listAdmins(ctx.db, { customerId: actor.customerId });
  return q.listTokens(ctx.db, { adminIds: admins.map((a) => a.id) });
}

export async function createToken(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; adminId?: number; expiresAt?: string | null },
): Promise<{ token: ApiToken; secret: string }> {
  authorize(actor, 'admins.manage');
  const adminId = input.adminId ?? actor.adminId;
  if (adminId === null)
    throw errors.field('request.invalid', 'adminId', 'Name the admin this token acts as.', {
      problem: 'token.owner_required',
    });
  const owner = await visibleAdmin(ctx, actor, adminId);
  const name = normalizeText(input.name);
  if (name === '')
    throw errors.field('request.invalid', 'name', 'A token needs a name.', { problem: 'name.required' });
  if (input.expiresAt && Date.parse(input.expiresAt) <= ctx.now().getTime()) {
    throw errors.field('request.invalid', 'expiresAt', 'The expiry date must be in the future.', {
      problem: 'token.expiry_past',
    });
  }
  const secret = newSecret(API_TOKEN_PREFIX);
  return inTransaction(ctx, async (db) => {
    const token = await q.insertToken(db, {
      adminId: owner.id,
      name,
      tokenHash: hashSecret(secret),
      prefix: secret.slice(0, API_TOKEN_PREFIX.length + 6),
      at: ctx.now().toISOString(),
      expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    });
    await audit(ctx, db, actor, {
      action: 'token.create',
      entityType: 'token',
      entityId: token.id,
      customerId: owner.customerId,
      details: { name, adminId: owner.id },
    });
    return { token, secret };
  });
}

export async function deleteToken(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  authorize(actor, 'admins.manage');
  const token = await q.findToken(ctx.db, id);
  if (!token) throw tokenNotFound(id)();
  const owner = await q.findAdmin(ctx.db, token.adminId);
  assertInScope(actor, owner?.customerId ?? null, tokenNotFound(id));
  await inTransaction(ctx, async (db) => {
    await q.deleteToken(db, id);
    await audit(ctx, db, actor, {
      action: 'token.delete',
      entityType: 'token',
      entityId: id,
      customerId: owner?.customerId ?? null,
    });
  });
}
