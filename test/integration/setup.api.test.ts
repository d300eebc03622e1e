import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api.js';
import { importClient } from '../support/imports.js';

/**
 * GET /api/v1/setup: the first-run checklist, computed from what exists. A fresh server has every
 * step open; each step is ticked by doing what it asks, and the list is complete when all are.
 */
let api: TestApi;
let admin: Caller;

const setup = async (caller: Caller = admin) => {
  const res = await caller.token({ method: 'GET', url: '/api/v1/setup' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    complete: boolean;
    steps: { id: string; done: boolean }[];
    mail: { transport: string; paused: boolean; from: string };
  };
};
const doneSteps = async () => (await setup()).steps.filter((s) => s.done).map((s) => s.id);

describe(`the first-run checklist on ${process.env.ROSTER_TEST_DB}`, () => {
  describe('with the default sender', () => {
    beforeAll(async () => {
      api = await startApi();
      admin = await api.caller('administrator');
    });
    afterAll(() => api.close());

    it('has every step open on a fresh server, and mail going to the local mailbox', async () => {
      expect(await setup()).toEqual({
        complete: false,
        steps: ['portalName', 'mailSender', 'customer', 'roles', 'firstImport'].map((id) => ({
          id,
          done: false,
        })),
        mail: { transport: 'mailbox', paused: false, from: 'Roster <roster@localhost>' },
      });
    });

    it('ticks the portal name, the customer, the roles and the first import as they are done', async () => {
      await admin.token({ method: 'PATCH', url: '/api/v1/settings', payload: { portalName: 'Acme Portal' } });
      expect(await doneSteps()).toEqual(['portalName']);

      const customer = await admin.token({
        method: 'POST',
        url: '/api/v1/customers',
        payload: { name: 'Acme' },
      });
      expect(customer.statusCode, customer.body).toBe(201);
      expect(await doneSteps()).toEqual(['portalName', 'customer']);

      // An inactive role does not count: imports cannot give it.
      await admin.token({ method: 'POST', url: '/api/v1/roles', payload: { name: 'Old', active: false } });
      expect(await doneSteps()).toEqual(['portalName', 'customer']);
      await admin.token({ method: 'POST', url: '/api/v1/roles', payload: { name: 'Manager' } });
      expect(await doneSteps()).toEqual(['portalName', 'customer', 'roles']);

      // An import only validated is not done yet; committed, it is.
      const imports = importClient(admin, customer.json().id);
      const uploaded = await imports.upload('Email,First name\nfirst.run@example.com,First\n', 'first.csv');
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      expect(await doneSteps()).toEqual(['portalName', 'customer', 'roles']);
      const ended = await imports.commit(uploaded.json().id);
      expect(ended.status).toBe('completed');
      expect(await doneSteps()).toEqual(['portalName', 'customer', 'roles', 'firstImport']);
      expect((await setup()).complete).toBe(false);
    });

    it('says when sending is paused', async () => {
      const paused = await admin.token({ method: 'POST', url: '/api/v1/mail/pause' });
      expect(paused.statusCode, paused.body).toBe(200);
      expect((await setup()).mail.paused).toBe(true);
      await admin.token({ method: 'POST', url: '/api/v1/mail/resume' });
      expect((await setup()).mail.paused).toBe(false);
    });

    it('is readable by every admin role, and refused without signing in', async () => {
      const viewer = await api.caller('viewer');
      expect((await setup(viewer)).steps).toHaveLength(5);
      const anonymous = await api.request({ method: 'GET', url: '/api/v1/setup' });
      expect(anonymous.statusCode).toBe(401);
    });
  });

  describe('with a real sender and SMTP', () => {
    beforeAll(async () => {
      api = await startApi({
        env: { MAIL_FROM: 'Acme Portal <portal@acme.example>', SMTP_URL: 'smtp://127.0.0.1:1' },
      });
      admin = await api.caller('administrator');
    });
    afterAll(() => api.close());

    it('counts the sender as set, and is complete once everything else is done', async () => {
      expect(await doneSteps()).toEqual(['mailSender']);
      expect((await setup()).mail).toMatchObject({
        transport: 'smtp',
        from: 'Acme Portal <portal@acme.example>',
      });
      await admin.token({ method: 'PATCH', url: '/api/v1/settings', payload: { portalName: 'Acme Portal' } });
      const customer = await admin.token({
        method: 'POST',
        url: '/api/v1/customers',
        payload: { name: 'Acme' },
      });
      await admin.token({ method: 'POST', url: '/api/v1/roles', payload: { name: 'Manager' } });
      const imports = importClient(admin, customer.json().id);
      const uploaded = await imports.upload('Email,First name\ndone@example.com,Done\n', 'done.csv');
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      expect((await imports.commit(uploaded.json().id)).status).toBe('completed');
      expect(await setup()).toMatchObject({ complete: true });
      expect((await setup()).steps.every((s) => s.done)).toBe(true);
    });
  });
});
