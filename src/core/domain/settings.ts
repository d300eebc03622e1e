import { z } from 'zod';
import { mailboxProblem } from './email.js';

/** Settings an administrator may change at run time, with their defaults and bounds. */
export interface Settings {
  importMaxFileBytes: number;
  importMaxRows: number;
  importMaxOwners: number;
  inviteTtlDays: number;
  /** Days after an invitation that one reminder goes to a user still pending; 0: no reminders. */
  inviteReminderDays: number;
  mailRatePerMinute: number;
  portalName: string;
  /** Email the admin who started an import when it ends (besides the bell). */
  importFinishedEmail: boolean;
  /** The From of every email: an address, or `Name <address>`. */
  mailFrom: string;
  /** Only admins with the Administrator role may create and commit imports of users for existing contacts. */
  contactUsersRequireAdministrator: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  importMaxFileBytes: 20 * 1024 * 1024,
  importMaxRows: 100_000,
  importMaxOwners: 100,
  inviteTtlDays: 7,
  inviteReminderDays: 0,
  mailRatePerMinute: 120,
  portalName: 'Customer Portal',
  importFinishedEmail: false,
  mailFrom: 'Roster <roster@localhost>',
  contactUsersRequireAdministrator: false,
};

export const SETTINGS_BOUNDS = {
  importMaxFileBytes: { min: 1024, max: 1024 * 1024 * 1024 },
  importMaxRows: { min: 1, max: 10_000_000 },
  importMaxOwners: { min: 1, max: 100_000 },
  inviteTtlDays: { min: 1, max: 365 },
  inviteReminderDays: { min: 0, max: 365 },
  mailRatePerMinute: { min: 1, max: 100_000 },
} as const;

/** What an administrator may change, within bounds. Shared by the API schema and the use case. */
export const SettingsPatch = z
  .object({
    importMaxFileBytes: z
      .number()
      .int()
      .min(SETTINGS_BOUNDS.importMaxFileBytes.min)
      .max(SETTINGS_BOUNDS.importMaxFileBytes.max),
    importMaxRows: z
      .number()
      .int()
      .min(SETTINGS_BOUNDS.importMaxRows.min)
      .max(SETTINGS_BOUNDS.importMaxRows.max),
    importMaxOwners: z
      .number()
      .int()
      .min(SETTINGS_BOUNDS.importMaxOwners.min)
      .max(SETTINGS_BOUNDS.importMaxOwners.max),
    inviteTtlDays: z
      .number()
      .int()
      .min(SETTINGS_BOUNDS.inviteTtlDays.min)
      .max(SETTINGS_BOUNDS.inviteTtlDays.max),
    inviteReminderDays: z
      .number()
      .int()
      .min(SETTINGS_BOUNDS.inviteReminderDays.min)
      .max(SETTINGS_BOUNDS.inviteReminderDays.max),
    mailRatePerMinute: z
      .number()
      .int()
      .min(SETTINGS_BOUNDS.mailRatePerMinute.min)
      .max(SETTINGS_BOUNDS.mailRatePerMinute.max),
    portalName: z.string().trim().min(1).max(100),
    importFinishedEmail: z.boolean(),
    mailFrom: z
      .string()
      .trim()
      .max(400)
      .superRefine((value, issue) => {
        const problem = mailboxProblem(value);
        if (problem !== null) issue.addIssue({ code: 'custom', message: problem });
      }),
    contactUsersRequireAdministrator: z.boolean(),
  })
  .partial()
  .strict();
