import { Command } from 'commander';
import { registerServe } from './commands/serve.js';
import { registerMigrate } from './commands/migrate.js';
import { registerExplain } from './commands/explain.js';
import { registerToken } from './commands/token.js';
import { registerMappings } from './commands/mappings.js';
import { registerRedistribute } from './commands/redistribute.js';
import { registerCheck } from './commands/check.js';
import { runCommand } from './run.js';

const program = new Command();
program
  .name('allot')
  .description('License allocation from identity-provider groups (SAML, SCIM, redistribution)')
  .option('-c, --config <file>', 'extra configuration file (same as ALLOT_CONFIG)')
  .hook('preAction', (cmd) => {
    const file = cmd.opts<{ config?: string }>().config;
    if (file) process.env['ALLOT_CONFIG'] = file;
  });

registerServe(program);
registerMigrate(program);
registerExplain(program);
registerToken(program);
registerMappings(program);
registerRedistribute(program);
registerCheck(program);

await runCommand(() => program.parseAsync(process.argv));
