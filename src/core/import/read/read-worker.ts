/**
 * The worker thread that reads an uploaded file (see in-worker.ts). It opens the file with the
 * ordinary reader and posts the rows to the main thread in batches, one batch per credit the main
 * thread sends: the main thread's pace is the reader's, and at most a few batches are in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../../errors.js';
import { openTabularFile } from './open-tabular-file.js';
import type { OpenTabularFileOptions, SheetChoice, TabularMeta, TabularRow } from './types.js';

export interface ReadWorkerInput {
  filePath: string;
  options: Omit<OpenTabularFileOptions, 'signal'>;
  batchRows: number;
  batchChars: number;
}

export type ReadWorkerMessage =
  | { type: 'opened'; source: TabularMeta }
  | { type: 'rows'; rows: TabularRow[] }
  | { type: 'done'; sheet: SheetChoice | null }
  | {
      type: 'error';
      error: {
        app: boolean;
        code: string;
        status: number;
        message: string;
        details: Record<string, unknown>;
      };
    };

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs only as a worker thread.');
const input = workerData as ReadWorkerInput;

let credits = 0;
let wake: (() => void) | null = null;
port.on('message', () => {
  credits++;
  wake?.();
  wake = null;
});

async function credit(): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
}

const post = (message: ReadWorkerMessage): void => port.postMessage(message);

async function run(): Promise<void> {
  const source = await openTabularFile(input.filePath, input.options);
  const { rows, close, ...meta } = source;
  post({ type: 'opened', source: meta });
  let batch: TabularRow[] = [];
  let chars = 0;
  for await (const row of source.rows()) {
    batch.push(row);
    for (const cell of row.cells) chars += cell.length;
    if (batch.length >= input.batchRows || chars >= input.batchChars) {
      await credit();
      post({ type: 'rows', rows: batch });
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) {
    await credit();
    post({ type: 'rows', rows: batch });
  }
  // ODS names its tables as the one pass goes: the lists are complete only now.
  post({ type: 'done', sheet: source.sheet ?? null });
}

run().catch((error: unknown) => {
  post({
    type: 'error',
    error: isAppError(error)
      ? { app: true, code: error.code, status: error.status, message: error.message, details: error.details }
      : {
          app: false,
          code: 'internal',
          status: 500,
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
          details: {},
        },
  });
});
