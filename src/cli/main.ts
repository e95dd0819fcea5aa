// The `opal` command. Each command group lives in commands/<name>.ts and is registered here.
import { Command } from 'commander';
import { registerAdmin } from './commands/admin.ts';
import { registerApp } from './commands/app.ts';
import { registerBackup } from './commands/backup.ts';
import { registerFds } from './commands/fds.ts';
import { registerFdsImage } from './commands/fds-image.ts';
import { registerFdsRekey } from './commands/fds-rekey.ts';
import { registerFdsToken } from './commands/fds-token.ts';
import { registerFriend } from './commands/friend.ts';
import { registerGrant } from './commands/grant.ts';
import { registerInvite } from './commands/invite.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerPass } from './commands/pass.ts';
import { registerSeed } from './commands/seed.ts';
import { registerServe } from './commands/serve.ts';
import { registerToken } from './commands/token.ts';
import { registerTransfer } from './commands/transfer.ts';
import { registerUser } from './commands/user.ts';
import { registerVersion } from './commands/version.ts';
import { REMOTE_HELP, refuseLocalOnlyInRemoteMode } from './remote.ts';
import { EXIT, fail, printError } from './run.ts';

const program = new Command('opal')
  .description('Opal: a self-hostable account open platform and file storage server, wire-compatible with Xiaomi Account and Galaxy FDS')
  .option('--json', 'print machine-readable JSON')
  .option('--url <url>', 'remote mode: the account origin of a running Opal (env OPAL_URL)')
  .option('--token <token>', 'remote mode: an admin API token, opal_at_… (env OPAL_ADMIN_TOKEN)')
  .addHelpText('after', `\n${REMOTE_HELP}; see docs/cli.md#remote-mode.`)
  .showHelpAfterError()
  .enablePositionalOptions(false);

for (const register of [
  registerVersion,
  registerServe,
  registerMigrate,
  registerSeed,
  registerUser,
  registerApp,
  registerFriend,
  registerGrant,
  registerToken,
  registerPass,
  registerFds,
  registerFdsImage,
  registerFdsToken,
  registerFdsRekey,
  registerInvite,
  registerAdmin,
  registerTransfer,
  registerBackup,
  registerKeys,
])
  register(program);

// Usage errors (unknown option, missing argument) exit 2; --help and --version exit 0 (the exit-code
// table in run.ts). Applied to every command: subcommands do not inherit an exit override set
// after they were created. With --json, a usage error is printed in the same JSON shape as every
// other error.
const json = process.argv.includes('--json');
const exitOnUsageError = (c: Command): void => {
  c.exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage));
  if (json) c.configureOutput({ outputError: (str) => printError(str.replace(/^error: /, '').trim(), EXIT.usage, true) });
  for (const sub of c.commands) exitOnUsageError(sub);
};
exitOnUsageError(program);

// Remote mode runs only the commands with an admin-API equivalent; any other refuses before it starts.
program.hook('preAction', (_program, action) => {
  try {
    refuseLocalOnlyInRemoteMode(action);
  } catch (e) {
    fail(e, json);
  }
});

await program.parseAsync(process.argv);
