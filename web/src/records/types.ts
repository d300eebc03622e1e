import type { z } from 'zod';
import type { RecordListQuery, RecordUpdate, RecordView } from '../../../src/http/record-schemas.js';
import type { Page } from '../lib/types';

export type RecordItem = z.infer<typeof RecordView>;
export type RecordType = RecordItem['type'];
export type RecordPage = Page<typeof RecordView>;
export type RecordQuery = Partial<z.output<typeof RecordListQuery>>;
export type RecordPatch = z.input<typeof RecordUpdate>;
