/**
 * openTabularFile in a worker thread, for files that strangers upload. The reader's own limits
 * bound what a file can cost; the worker bounds what they might have missed: its heap is capped
 * (`resourceLimits`), so a file that needs more kills the worker and not the server, and it is
 * terminated at once when the caller aborts (the client went away) or the time limit passes.
 * Rows come back in batches with back-pressure: the worker posts a batch only for a credit, and the
 * main thread gives one back each time it takes a batch, so at most CREDITS batches are in flight.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { appError, isErrorCode } from '../../errors.js';
import { readErrors } from './read-errors.js';
import type { ReadWorkerInput, ReadWorkerMessage } from './read-worker.js';
import type { OpenTabularFileOptions, SheetChoice, TabularRow, TabularSource } from './types.js';

export interface WorkerReadLimits {
  /** Heap of the worker (V8's old generation), in MB. */
  memoryMb: number;
  /** From the start of the read to its last row. */
  timeoutMs: number;
}

const CREDITS = 2;
const BATCH_ROWS = 1000;
/** A batch also ends after this many characters of cells, so that long rows make small batches. */
const BATCH_CHARS = 4_000_000;

/**
 * The worker's script. From the sources (tsx, vitest) it is a .ts file: a small bootstrap registers
 * tsx in the worker first (Node 20 does not carry `--import` hooks into worker threads).
 */
function workerScript(): { script: URL | string; eval: boolean } {
  const fromSources = import.meta.url.endsWith('.ts');
  const url = new URL(fromSources ? './read-worker.ts' : './read-worker.js', import.meta.url);
  if (!fromSources) return { script: url, eval: false };
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  return {
    script: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
    eval: true,
  };
}

export async function openTabularFileInWorker(
  filePath: string,
  options: OpenTabularFileOptions,
  limits: WorkerReadLimits,
): Promise<TabularSource> {
  const { signal, ...readOptions } = options;
  signal?.throwIfAborted();
  const entry = workerScript();
  const input: ReadWorkerInput = {
    filePath,
    options: readOptions,
    batchRows: BATCH_ROWS,
    batchChars: BATCH_CHARS,
  };
  const worker = new Worker(entry.script, {
    eval: entry.eval,
    workerData: input,
    resourceLimits: {
      maxOldGenerationSizeMb: limits.memoryMb,
      maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(limits.memoryMb / 8))),
    },
  });

  const batches: TabularRow[][] = [];
  let finished = false;
  let ended = false;
  let notify: (() => void) | null = null;
  type Opened = Extract<ReadWorkerMessage, { type: 'opened' }>['source'];
  const state: { opened: Opened | null; failure: Error | null } = { opened: null, failure: null };
  let finalSheet: SheetChoice | null = null;

  const settle = () => {
    notify?.();
    notify = null;
  };
  const stop = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    void worker.terminate();
  };
  const fail = (error: Error) => {
    if (state.failure || finished) return;
    state.failure = error;
    stop();
    settle();
  };
  const onAbort = () => fail(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => fail(readErrors.readTimeout(Math.round(limits.timeoutMs / 1000))),
    limits.timeoutMs,
  );

  worker.on('message', (message: ReadWorkerMessage) => {
    switch (message.type) {
      case 'opened':
        state.opened = message.source;
        break;
      case 'rows':
        batches.push(message.rows);
        break;
      case 'done':
        finalSheet = message.sheet;
        finished = true;
        stop();
        break;
      case 'error': {
        const { app, code, message: text, details } = message.error;
        // An AppError crosses the thread as plain data; its code is checked against the catalogue again.
        fail(
          app && isErrorCode(code)
            ? appError(code, text, details)
            : new Error(`Reading the file failed: ${text}`),
        );
        break;
      }
    }
    settle();
  });
  worker.on('error', (error: Error & { code?: string }) => {
    fail(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? readErrors.readOutOfMemory(limits.memoryMb) : error);
  });
  worker.on('exit', () => {
    if (!finished && !ended) fail(new Error('The file reader stopped before it finished.'));
  });

  const next = () => new Promise<void>((resolve) => (notify = resolve));
  while (!state.opened && !state.failure) await next();
  if (state.failure || !state.opened) throw state.failure;
  for (let i = 0; i < CREDITS; i++) worker.postMessage('more');

  const source = state.opened;
  const sheet = source.sheet;
  let started = false;

  async function* rows(): AsyncGenerator<TabularRow> {
    if (started) throw new Error('The rows of a tabular file can be read only once.');
    started = true;
    try {
      for (;;) {
        if (state.failure) throw state.failure;
        const batch = batches.shift();
        if (batch) {
          if (!ended) worker.postMessage('more');
          yield* batch;
          continue;
        }
        if (finished) {
          if (sheet && finalSheet) Object.assign(sheet, finalSheet);
          return;
        }
        await next();
      }
    } finally {
      stop();
    }
  }

  return {
    ...source,
    rows,
    close: async () => stop(),
  };
}
