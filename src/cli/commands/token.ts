// `opal token …`: look at or revoke an access or refresh token (only its hash is stored, so the
// token itself is the argument; it is never printed back).
import type { Command } from 'commander';
import { NotFoundError } from '../../lib/errors.ts';
import { fields, withContext } from '../run.ts';

// Opal no longer issues tokens that begin with "-", but one issued by an earlier build may (one in
// 64 did) and would be read as an option: after `--` every token is an argument (options, such as
// --json, go before it).
const TOKEN_ARG = 'the token; put it after -- (a token may begin with "-"), options before it';

export function registerToken(program: Command): void {
  const token = program.command('token').description('inspect or revoke OAuth access and refresh tokens');
  token
    .command('inspect')
    .description('show what a token stands for: kind, app, user, scopes, expiry, state')
    .usage('[options] -- <token>')
    .argument('<token>', TOKEN_ARG)
    .action(async (tok: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const d = await ctx.services.oauth.inspect(tok);
          if (!d) throw new NotFoundError('unknown token');
          const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
          return { ...d, createdAt: iso(d.createdAt), expiresAt: iso(d.expiresAt), usedAt: iso(d.usedAt), revokedAt: iso(d.revokedAt) };
        },
        (d) => fields({ ...d, scopes: d.scopes.join(' ') }),
      );
    });
  token
    .command('revoke')
    .description('revoke a token (a refresh token takes its whole token family with it)')
    .usage('[options] -- <token>')
    .argument('<token>', TOKEN_ARG)
    .action(async (tok: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          if (!(await ctx.services.oauth.revokeToken(tok, undefined, 'cli'))) throw new NotFoundError('unknown token');
          return { revoked: true };
        },
        () => 'token revoked',
        { full: true },
      );
    });
}
