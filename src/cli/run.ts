import type { Command } from 'commander';
import { isAppError } from '../core/errors.js';

/** Runs the program; errors end as one readable line on stderr and a non-zero exit code. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (isAppError(e)) {
      process.stderr.write(`roster: ${e.message} [${e.code}]\n`);
    } else {
      process.stderr.write(`roster: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    process.exitCode = 1;
  }
}
