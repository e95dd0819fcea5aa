// `opal grant …`: what users approved for apps (list, revoke). Revoking ends every token issued
// under the grant at once, on every node (the shared cache broadcasts the invalidation).
import type { Command } from 'commander';
import { NotFoundError } from '../../lib/errors.ts';
import { table } from '../run.ts';
import { USER_REF_HELP, withUser } from '../user-ref.ts';

export function registerGrant(program: Command): void {
  const grant = program.command('grant').description(`manage users' app authorizations (USER is ${USER_REF_HELP})`);
  grant
    .command('list')
    .description('list the apps a user has authorized, with the approved scopes')
    .argument('<user>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      await withUser(
        cmd,
        ref,
        async (ctx, { userId }) => {
          const grants = [];
          for (const g of await ctx.services.oauth.listGrants(userId)) {
            const app = await ctx.services.apps.get(g.clientId);
            grants.push({
              clientId: g.clientId,
              appName: app?.name ?? '',
              scopes: g.scopes,
              createdAt: new Date(g.createdAt).toISOString(),
              updatedAt: new Date(g.updatedAt).toISOString(),
            });
          }
          return { userId, grants };
        },
        (r) =>
          table(
            r.grants.map((g) => ({ ...g, scopes: g.scopes.join(' ') })),
            ['clientId', 'appName', 'scopes', 'createdAt'],
          ),
      );
    });
  grant
    .command('revoke')
    .description("revoke a user's authorization of an app and every token issued under it")
    .argument('<user>')
    .argument('<app>', 'clientId')
    .action(async (ref: string, clientId: string, _o: unknown, cmd: Command) => {
      await withUser(
        cmd,
        ref,
        async (ctx, { userId }) => {
          if (!(await ctx.services.oauth.revokeGrant(userId, clientId, 'cli')))
            throw new NotFoundError(`user ${userId} has not authorized app ${clientId}`);
          return { userId, clientId, revoked: true };
        },
        (r) => `revoked app ${r.clientId} for user ${r.userId}`,
        { full: true },
      );
    });
}
