// `opal invite …`: sign-up invite codes (OPAL_SIGNUP=invite). A code is shown once; only its
// SHA-256 is stored; each code creates one account.
import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import { withContext } from '../run.ts';

export function registerInvite(program: Command): void {
  const invite = program.command('invite').description('sign-up invite codes (OPAL_SIGNUP=invite)');
  invite
    .command('create')
    .description('create a single-use invite code; prints the code (shown only once)')
    .option('--note <text>', 'who the code is for (kept with it)', '')
    .option('--days <n>', 'days the code stays valid', '7')
    .action(async (o: { note: string; days: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const days = Number(o.days);
          if (!/^\d{1,4}$/.test(o.days) || days < 1 || days > 3650)
            throw new InvalidInputError(`--days: expected 1 to 3650, got "${o.days}"`);
          const r = await ctx.services.signup.createInvite(o.note, days * 24 * 3600_000);
          return { code: r.code, expiresAt: new Date(r.expiresAt).toISOString(), note: o.note };
        },
        (r) => `${r.code}\n(valid until ${r.expiresAt}; sign up at /signup with this code)`,
      );
    });
}
