import { describe, expect, it } from 'vitest';
import { can } from '../../src/core/access/policy.js';
import { readAttributeValue } from '../../src/core/domain/attributes.js';
import { checkEmail, emailKey } from '../../src/core/domain/email.js';
import { matchRole, suggestName } from '../../src/core/domain/roles.js';
import { normalizeText } from '../../src/core/domain/text.js';
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  delayAfter,
  delaySchedule,
} from '../../src/core/domain/throttle.js';
import { defaultDisplayName } from '../../src/core/domain/user.js';
import { usernameBase, withCounter } from '../../src/core/domain/username.js';

describe('text normalisation', () => {
  it('trims, composes to NFC and removes invisible characters', () => {
    expect(normalizeText('\u00A0 Jose\u0301\u200B\uFEFF ')).toBe('José');
    expect(normalizeText('a\u0007b')).toBe('ab');
  });
});

describe('email', () => {
  it('accepts ordinary addresses and folds case for the key', () => {
    expect(checkEmail('Jane.Doe+tag@Example.co.uk')).toBeNull();
    expect(emailKey(' Jane@EXAMPLE.com ')).toBe('jane@example.com');
  });
  it.each([
    ['', 'empty'],
    ['plainaddress', 'syntax'],
    ['a@b', 'syntax'],
    ['a..b@example.com', 'syntax'],
    ['a b@example.com', 'syntax'],
    [`${'a'.repeat(250)}@example.com`, 'too_long'],
  ])('rejects %j as %s', (value, problem) => {
    expect(checkEmail(value)).toBe(problem);
  });
});

describe('username', () => {
  it('derives from the email local part and adds a counter on collision', () => {
    expect(usernameBase("Jöhn.O'Brien@example.com")).toBe('john.obrien');
    const taken = new Set(['john', 'john2']);
    expect(withCounter('john', (k) => taken.has(k))).toBe('john3');
    expect(withCounter('mary', (k) => taken.has(k))).toBe('mary');
  });
});

describe('roles', () => {
  const roles = [
    { id: 1, name: 'Manager', active: true },
    { id: 2, name: 'Engineer', active: true },
    { id: 3, name: 'Approver', active: false },
  ];
  it('matches case-sensitively and suggests the right case', () => {
    expect(matchRole('Manager', roles)).toMatchObject({ kind: 'found' });
    expect(matchRole('manager', roles)).toEqual({ kind: 'unknown', suggestion: 'Manager' });
  });
  it('suggests a close spelling and nothing for a distant one', () => {
    expect(suggestName('Enginer', ['Manager', 'Engineer'])).toBe('Engineer');
    expect(suggestName('Accountant', ['Manager', 'Engineer'])).toBeNull();
  });
  it('reports an inactive role as such', () => {
    expect(matchRole('Approver', roles)).toMatchObject({ kind: 'inactive' });
  });
});

describe('custom attribute values', () => {
  const def = { id: 1, key: 'k', label: 'Start', options: [], required: false, description: '' };
  it('reads dates strictly', () => {
    expect(readAttributeValue({ ...def, type: 'date' }, '2024-02-29')).toEqual({
      ok: true,
      value: '2024-02-29',
    });
    expect(readAttributeValue({ ...def, type: 'date' }, '2023-02-29').ok).toBe(false);
  });
  it('reads booleans from words', () => {
    expect(readAttributeValue({ ...def, type: 'boolean' }, 'Yes')).toEqual({ ok: true, value: true });
    expect(readAttributeValue({ ...def, type: 'boolean' }, 'maybe').ok).toBe(false);
  });
  it('checks list values exactly', () => {
    const e = { ...def, type: 'enum' as const, options: ['Red', 'Blue'] };
    expect(readAttributeValue(e, 'Red').ok).toBe(true);
    expect(readAttributeValue(e, 'red').ok).toBe(false);
  });
  it('requires a value when the definition says so', () => {
    expect(readAttributeValue({ ...def, type: 'text', required: true }, '')).toMatchObject({ ok: false });
  });
});

describe('access policy', () => {
  const actor = (role: 'administrator' | 'user_admin' | 'viewer', customerId: number | null = null) => ({
    kind: 'admin' as const,
    adminId: 1,
    role,
    customerId,
    label: 'x',
  });
  it('lets a viewer read only', () => {
    expect(can(actor('viewer'), 'directory.read')).toBe(true);
    expect(can(actor('viewer'), 'users.manage')).toBe(false);
  });
  it('keeps global configuration from scoped administrators', () => {
    expect(can(actor('administrator'), 'config.manage')).toBe(true);
    expect(can(actor('administrator', 7), 'config.manage')).toBe(false);
    expect(can(actor('administrator', 7), 'admins.manage')).toBe(true);
  });
});

describe('sign-in throttle', () => {
  it('lets five attempts through, then doubles the wait from 30 seconds up to 15 minutes', () => {
    expect([1, 2, 3, 4].map((n) => delayAfter(n, ACCOUNT_THROTTLE))).toEqual([0, 0, 0, 0]);
    expect(delaySchedule(ACCOUNT_THROTTLE).map((ms) => ms / 1000)).toEqual([30, 60, 120, 240, 480, 900]);
    expect(delayAfter(500, ACCOUNT_THROTTLE)).toBe(15 * 60_000);
  });

  it('keeps an address waiting the whole window after its 30th attempt', () => {
    expect(delayAfter(29, ADDRESS_THROTTLE)).toBe(0);
    expect(delaySchedule(ADDRESS_THROTTLE)).toEqual([15 * 60_000]);
  });
});

describe('display name', () => {
  it('falls back to the email when there is no name', () => {
    expect(defaultDisplayName('', '', 'x@example.com')).toBe('x@example.com');
    expect(defaultDisplayName('Ann', 'Lee', 'x')).toBe('Ann Lee');
  });
});

describe('configuration', () => {
  it('takes the invitation expiry and mail rate defaults from the environment', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const config = loadConfig({ INVITE_TTL_DAYS: '3', MAIL_RATE_PER_MINUTE: '30' });
    expect(config.mail).toMatchObject({ inviteTtlDays: 3, ratePerMinute: 30 });
    expect(() => loadConfig({ INVITE_TTL_DAYS: '0' })).toThrow(/INVITE_TTL_DAYS/);
  });
});
