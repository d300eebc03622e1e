import { z } from 'zod';
import {
  OPTIONAL_TEXT_FIELDS,
  type OptionalTextField,
  USER_COLUMNS,
  USER_FIELDS,
  USER_STATUSES,
  USER_TYPES,
  type UserField,
} from '../core/domain/user.js';

/**
 * A user's values as the API answers and takes them, made from the model's declaration
 * (`USER_COLUMNS`, core/domain/user.ts): a new value is answered, and an optional text taken, by
 * every user shape without a change here.
 */
const ANSWERED = {
  text: z.string(),
  optionalText: z.string().nullable(),
  id: z.number(),
  optionalId: z.number().nullable(),
  userType: z.enum(USER_TYPES),
  status: z.enum(USER_STATUSES),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
} as const;
type Answered = typeof ANSWERED;

/** Every value of a user, as answered. */
export const userValuesShape = Object.fromEntries(
  USER_FIELDS.map((f) => [f, ANSWERED[USER_COLUMNS[f].kind]]),
) as { [K in UserField]: Answered[(typeof USER_COLUMNS)[K]['kind']] };

/** The optional texts of a body (`null` clears one), each at most as long as its column. */
export const optionalTextInputs = Object.fromEntries(
  OPTIONAL_TEXT_FIELDS.map((f) => [f, z.string().max(USER_COLUMNS[f].max).nullable().optional()]),
) as Record<OptionalTextField, z.ZodOptional<z.ZodNullable<z.ZodString>>>;
