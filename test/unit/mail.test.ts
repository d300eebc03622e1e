import { describe, expect, it } from 'vitest';
import { afterFailure, planSlots, retryDelayMs, takeSlot } from '../../src/core/mail/sending.js';
import {
  headerSafe,
  LINK_PLACEHOLDER,
  renderImportFinished,
  renderInvitation,
  renderPasswordReset,
  withLink,
} from '../../src/core/mail/templates.js';
import { classifySendError } from '../../src/mail/transport.js';

describe('email templates', () => {
  const base = {
    kind: 'invitation' as const,
    portalName: 'Acme Portal',
    firstName: 'Ann',
    expiresAt: '2030-01-08T14:05:00.000Z',
    message: null,
  };

  it('writes the invitation with the portal, the name, the expiry and a place for the link', () => {
    const mail = renderInvitation(base);
    expect(mail.subject).toBe('You are invited to Acme Portal');
    expect(mail.text).toContain('Hello Ann,');
    expect(mail.text).toContain(`Activate your account: ${LINK_PLACEHOLDER}`);
    expect(mail.text).toContain('until 2030-01-08 14:05 UTC');
    expect(mail.html).toContain(`href="${LINK_PLACEHOLDER}"`);
    expect(renderInvitation({ ...base, kind: 'reminder' }).subject).toBe(
      'Reminder: activate your Acme Portal account',
    );
    expect(renderInvitation({ ...base, firstName: '' }).text).toMatch(/^Hello,/);
  });

  it('keeps every header one line and escapes every value in HTML', () => {
    const mail = renderInvitation({
      ...base,
      portalName: 'Evil\r\nBcc: x@evil.example <i>',
      firstName: 'A\nB<script>',
      message: 'Line one\r\n<b>bold</b> & "quoted"\u0000',
    });
    expect(mail.subject).toBe('You are invited to Evil Bcc: x@evil.example <i>');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toMatch(/<script>|<b>bold|<i>/);
    expect(mail.html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;');
    expect(mail.html).toContain('Line one<br>');
    expect(mail.text).toContain('Line one\n<b>bold</b> & "quoted"');
    expect(mail.text).not.toContain('\u0000');
    expect(headerSafe('a\u2028b\tc')).toBe('a b c');
  });

  it('never lets a typed value stand in for the link', () => {
    const mail = renderInvitation({
      ...base,
      firstName: LINK_PLACEHOLDER,
      message: `click ${LINK_PLACEHOLDER}`,
    });
    const sent = withLink(mail, 'https://roster.example/activate?token=abc&x=$&');
    expect(sent.text.match(/token=abc/g)).toHaveLength(1);
    expect(sent.html).toContain('href="https://roster.example/activate?token=abc&amp;x=$&amp;"');
    expect(sent.text).not.toContain(LINK_PLACEHOLDER);
  });

  it('writes the password reset and the import-finished notice', () => {
    const reset = renderPasswordReset({
      portalName: 'P',
      firstName: 'Bo',
      expiresAt: '2030-01-01T00:00:00Z',
    });
    expect(reset.subject).toBe('Reset your P password');
    expect(reset.text).toContain(LINK_PLACEHOLDER);
    const done = renderImportFinished({
      portalName: 'P',
      importId: 7,
      fileName: 'people<1>.csv\r\nBcc: x',
      status: 'completed',
      counts: { created: 3, failed: 1 },
      invitations: 3,
    });
    expect(done.subject).toBe('Import 7 (people<1>.csv Bcc: x) finished');
    expect(done.text).toContain('3 created, 0 updated, 0 unchanged, 0 skipped, 1 failed.');
    expect(done.html).toContain('people&lt;1&gt;.csv');
  });
});

describe('sending rules', () => {
  it('spaces slots by the rate, and one after another when they queue up', () => {
    const rule = { perMinute: 60, warmupMs: 0 };
    let state = { nextSlotAt: 0, runStartedAt: 0 };
    const slots: number[] = [];
    for (let i = 0; i < 4; i++) {
      const taken = takeSlot(state, rule, 1_000_000);
      slots.push(taken.slotAt);
      state = taken.next;
    }
    expect(slots).toEqual([1_000_000, 1_001_000, 1_002_000, 1_003_000]);
  });

  it('starts slowly after a quiet spell with a warm-up, and reaches the full rate', () => {
    const rule = { perMinute: 600, warmupMs: 60_000 };
    const first = takeSlot({ nextSlotAt: 0, runStartedAt: 0 }, rule, 5_000_000);
    expect(first.next.runStartedAt).toBe(5_000_000);
    expect(first.next.nextSlotAt - first.slotAt).toBeCloseTo(1000, 0); // a tenth of the rate
    const later = takeSlot({ nextSlotAt: 5_060_000, runStartedAt: 5_000_000 }, rule, 5_060_000);
    expect(later.next.nextSlotAt - later.slotAt).toBeCloseTo(100, 0);
  });

  it('plans a round’s slots within the horizon, capped, and none when the next is further away', () => {
    const now = 1_000_000;
    const idle = { nextSlotAt: 0, runStartedAt: 0 };
    const slow = planSlots(idle, { perMinute: 60, warmupMs: 0 }, now, 1_000, 50);
    expect(slow.map((s) => s.slotAt)).toEqual([now, now + 1_000]);
    expect(slow[1]!.next.nextSlotAt).toBe(now + 2_000);
    // The same slots one takeSlot after another would give.
    const fast = planSlots(idle, { perMinute: 6_000, warmupMs: 60_000 }, now, 1_000, 50);
    let state = idle;
    for (const slot of fast) {
      const taken = takeSlot(state, { perMinute: 6_000, warmupMs: 60_000 }, now);
      expect(slot).toEqual(taken);
      state = taken.next;
    }
    expect(fast.length).toBe(11); // a tenth of 100 a second, warming up
    expect(planSlots(idle, { perMinute: 100_000, warmupMs: 0 }, now, 1_000, 50)).toHaveLength(50);
    const queued = { nextSlotAt: now + 5_000, runStartedAt: now };
    expect(planSlots(queued, { perMinute: 60, warmupMs: 0 }, now, 1_000, 50)).toEqual([]);
  });

  it('backs off by doubling, and fails at once on a permanent refusal or the last attempt', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(30, 30_000)).toBe(3_600_000);
    const rule = { maxAttempts: 3, retryBaseMs: 1000 };
    expect(afterFailure({ kind: 'temporary', reason: '' }, 1, rule, 0)).toEqual({
      status: 'queued',
      nextAttemptAt: 1000,
    });
    expect(afterFailure({ kind: 'temporary', reason: '' }, 3, rule, 0)).toEqual({ status: 'failed' });
    expect(afterFailure({ kind: 'permanent', reason: '' }, 1, rule, 0)).toEqual({ status: 'failed' });
  });

  it('sorts SMTP failures: 5xx permanent; 4xx, connection trouble and credentials temporary', () => {
    expect(
      classifySendError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such user' }),
    ).toEqual({
      kind: 'permanent',
      reason: 'EENVELOPE: 550 5.1.1 No such user',
    });
    expect(classifySendError({ code: 'EENVELOPE', responseCode: 451, response: '451 later' }).kind).toBe(
      'temporary',
    );
    expect(classifySendError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }).kind).toBe(
      'temporary',
    );
    expect(classifySendError({ code: 'ETIMEDOUT', message: 'timeout' }).kind).toBe('temporary');
    expect(
      classifySendError({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }).kind,
    ).toBe('temporary');
    expect(classifySendError(new Error('boom\r\nmore')).reason).toBe('boom more');
  });
});
