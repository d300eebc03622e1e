// Shapes shared by every page, inferred from the API's own zod schemas (type-only: nothing from the
// server is bundled), so the browser and the API cannot drift apart. Each feature folder keeps its
// own types.ts in the same way.
import type { z } from 'zod';
import type { ErrorBody, page } from '../../../src/http/schemas.js';

export type ApiError = z.infer<typeof ErrorBody>;
/** One page of a list answer: `items`, `total` and the cursor. */
export type Page<T extends z.ZodType> = z.infer<ReturnType<typeof page<T>>>;
