import type { Command } from 'commander';
import { createAdmin } from '../../app/admins.js';
import { startApp } from '../../app/runtime.js';
import { loadConfig } from '../../config.js';
import { type AdminRole, isAdminRole, SYSTEM_ACTOR } from '../../core/access/policy.js';
import { generatePassword } from '../../security/tokens.js';

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Manage admin accounts');
  admin
    .command('create')
    .description('Create an admin account')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--name <name>', 'display name', 'Administrator')
    .option('--role <role>', 'administrator | user_admin | viewer', 'administrator')
    .option('--customer <id>', 'limit the admin to one customer (id)')
    .option(
      '--password <password>',
      'password (or ROSTER_NEW_ADMIN_PASSWORD); generated and printed when absent',
    )
    .action(
      async (opts: { email: string; name: string; role: string; customer?: string; password?: string }) => {
        if (!isAdminRole(opts.role))
          throw new Error(`Unknown role "${opts.role}": use administrator, user_admin or viewer.`);
        const customerId = opts.customer === undefined ? null : Number(opts.customer);
        if (customerId !== null && !(Number.isInteger(customerId) && customerId > 0)) {
          throw new Error(
            `--customer takes a customer id (a positive whole number), not "${opts.customer}".`,
          );
        }
        const given = opts.password ?? process.env.ROSTER_NEW_ADMIN_PASSWORD;
        const password = given ?? generatePassword();
        const ctx = await startApp(loadConfig());
        try {
          const created = await createAdmin(ctx, SYSTEM_ACTOR, {
            email: opts.email,
            name: opts.name,
            role: opts.role as AdminRole,
            customerId,
            password,
          });
          process.stdout.write(
            `Created ${created.role} ${created.email} (id ${created.id}${created.customerId ? `, customer ${created.customerId}` : ''}).\n`,
          );
          if (!given) process.stdout.write(`  password: ${password}\n  (shown once)\n`);
        } finally {
          await ctx.storage.close();
        }
      },
    );
}
