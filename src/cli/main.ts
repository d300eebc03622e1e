#!/usr/bin/env node
import { Command } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerImportCommands } from './commands/import.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerSeedCommand } from './commands/seed.js';
import { registerServeCommand } from './commands/serve.js';
import { registerWorkerCommand } from './commands/worker.js';
import { runCli } from './run.js';

const program = new Command()
  .name('roster')
  .description('Roster: portal user accounts, managed and imported in bulk')
  .showHelpAfterError();

registerServeCommand(program);
registerMigrateCommand(program);
registerAdminCommands(program);
registerSeedCommand(program);
registerImportCommands(program);
registerWorkerCommand(program);

await runCli(program, process.argv);
