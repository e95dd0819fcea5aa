// `opal admin …`: credentials of the admin HTTP API (docs/admin-api.md).
import type { Command } from 'commander';
import { table, withContext } from '../run.ts';
import { findUser, USER_REF_HELP } from '../user-ref.ts';

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('admin HTTP API credentials');
  const token = admin.command('token').description('admin API tokens (Authorization: Bearer …)');

  token
    .command('create')
    .description("create a token acting for a developer or admin with that user's role; the token is shown only once")
    .requiredOption('--user <user>', `the user it acts for (${USER_REF_HELP})`)
    .option('--name <name>', 'what the token is for', 'cli')
    .action(async (o: { user: string; name: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const u = await findUser(ctx, o.user);
          const t = await ctx.services.adminTokens.create(u.userId, o.name);
          await ctx.services.audit.record({ type: 'admin.token_created', actor: 'cli', subject: u.userId, detail: { tokenId: t.tokenId } });
          return { ...t, role: u.role };
        },
        (t) => `token ${t.tokenId} for ${t.userId} (${t.role}), shown once:\n${t.token}`,
      );
    });

  token
    .command('list')
    .description('list tokens (never the tokens themselves)')
    .option('--user <user>', `only this user's (${USER_REF_HELP})`)
    .action(async (o: { user?: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => ctx.services.adminTokens.list(o.user ? (await findUser(ctx, o.user)).userId : undefined),
        (rows) => table(rows as unknown as Array<Record<string, unknown>>, ['tokenId', 'userId', 'name', 'createdAt', 'lastUsedAt']),
      );
    });

  token
    .command('revoke')
    .description('revoke a token by its id')
    .argument('<tokenId>')
    .action(async (tokenId: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          await ctx.services.adminTokens.revoke(tokenId);
          await ctx.services.audit.record({ type: 'admin.token_revoked', actor: 'cli', detail: { tokenId } });
          return { tokenId, revoked: true };
        },
        (r) => `revoked ${r.tokenId}`,
      );
    });
}
