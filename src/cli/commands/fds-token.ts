// `opal fds token list|revoke|purge|bind|unbind|bindings`: FDS storage tokens (exchanged third-party
// OAuth tokens) and SSO serviceTokens, and which provider apps may exchange tokens for an FDS app.
// Documented in docs/storage-tokens.md.
import type { Command } from 'commander';
import { APP_ID_RE, providerByName } from '../../core/fds/oauth-providers/index.ts';
import { InvalidInputError, NotFoundError } from '../../lib/errors.ts';
import { table, withContext } from '../run.ts';

function provider(name: string) {
  const p = providerByName(name);
  if (!p) throw new InvalidInputError(`unknown provider "${name}" (expected XiaoMi, QQ, Sina or RenRen)`);
  return p;
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export function registerFdsToken(program: Command): void {
  const fds = program.commands.find((c) => c.name() === 'fds') ?? program.command('fds');
  const token = fds.command('token').description('FDS storage tokens and SSO serviceTokens: list, revoke, purge; provider app bindings');

  token
    .command('list')
    .description('list storage tokens (live ones unless --all); never shows the tokens themselves')
    .option('--app <appId>', 'only tokens of this FDS app')
    .option('--kind <kind>', 'oauth (exchanged storage tokens) or sso (serviceTokens)')
    .option('--user <id>', 'only tokens of this provider user id (openid, uid, Opal user id)')
    .option('--all', 'include expired and revoked tokens')
    .action(async (o: { app?: string; kind?: string; user?: string; all?: boolean }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          if (o.kind !== undefined && o.kind !== 'oauth' && o.kind !== 'sso') throw new InvalidInputError('--kind must be oauth or sso');
          return ctx.services.storageTokens.list({ appId: o.app, kind: o.kind, user: o.user, all: o.all });
        },
        (rows) =>
          table(
            rows.map((r) => ({ ...r, appId: r.appId ?? '', expires: iso(r.expireTime), created: iso(r.createdAt) })),
            ['id', 'kind', 'state', 'appId', 'provider', 'providerAppId', 'providerUserId', 'created', 'expires'],
          ),
        { full: true },
      );
    });

  token
    .command('revoke')
    .description('revoke one token by its id, or every token of an app (--app) or of an Opal user (--user)')
    .argument('[id]', 'token id from `opal fds token list`')
    .option('--app <appId>', 'revoke every live token of this FDS app')
    .option('--user <userId>', 'revoke every live token of this Opal user (XiaoMi via this Opal, SSO)')
    .action(async (id: string | undefined, o: { app?: string; user?: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const given = [id, o.app, o.user].filter((x) => x !== undefined);
          if (given.length !== 1) throw new InvalidInputError('give exactly one of <id>, --app, --user');
          const st = ctx.services.storageTokens;
          if (id !== undefined) {
            const revoked = await st.revokeWhere({ id }, 'cli');
            if (revoked === 0) throw new NotFoundError(`no live token ${id}`);
            return { revoked };
          }
          return { revoked: await st.revokeWhere(o.app !== undefined ? { appId: o.app } : { opalUserId: o.user ?? '' }, 'cli') };
        },
        (r) => `revoked ${r.revoked} token(s)`,
        { full: true },
      );
    });

  token
    .command('purge')
    .description('delete tokens that expired or were revoked more than --days ago (default 30; the exchange also does this hourly)')
    .option('--days <n>', 'keep expired and revoked tokens this many days', '30')
    .action(async (o: { days: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          if (!/^\d{1,4}$/.test(o.days)) throw new InvalidInputError('--days must be a whole number of days');
          return { purged: await ctx.services.storageTokens.purge(Number(o.days) * 24 * 3600_000) };
        },
        (r) => `purged ${r.purged} token(s)`,
      );
    });

  token
    .command('bind')
    .description('let tokens of a provider app be exchanged for storage tokens of an FDS app')
    .requiredOption('--app <appId>', 'FDS app (clientId)')
    .requiredOption('--provider <name>', 'XiaoMi, QQ, Sina or RenRen')
    .requiredOption('--oauth-app-id <id>', "the app's id at the provider (QQ client_id, Weibo appkey, RenRen app id, Xiaomi clientId)")
    .action(async (o: { app: string; provider: string; oauthAppId: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const p = provider(o.provider);
          if (!APP_ID_RE.test(o.oauthAppId)) throw new InvalidInputError('--oauth-app-id is malformed');
          await ctx.services.apps.require(o.app);
          const added = await ctx.services.storageTokens.bind(o.app, p, o.oauthAppId);
          await ctx.services.audit.record({
            type: 'fds.oauth_binding.added',
            actor: 'cli',
            clientId: o.app,
            detail: { provider: p, oauthAppId: o.oauthAppId },
          });
          return { appId: o.app, provider: p, oauthAppId: o.oauthAppId, added };
        },
        (r) => (r.added ? `bound ${r.provider} app ${r.oauthAppId} to ${r.appId}` : 'already bound'),
      );
    });

  token
    .command('unbind')
    .description('remove a binding (storage tokens already issued stay until revoked or expired)')
    .requiredOption('--app <appId>', 'FDS app (clientId)')
    .requiredOption('--provider <name>', 'XiaoMi, QQ, Sina or RenRen')
    .requiredOption('--oauth-app-id <id>', "the app's id at the provider")
    .action(async (o: { app: string; provider: string; oauthAppId: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const p = provider(o.provider);
          if (!(await ctx.services.storageTokens.unbind(o.app, p, o.oauthAppId))) throw new NotFoundError('no such binding');
          await ctx.services.audit.record({
            type: 'fds.oauth_binding.removed',
            actor: 'cli',
            clientId: o.app,
            detail: { provider: p, oauthAppId: o.oauthAppId },
          });
          return { appId: o.app, provider: p, oauthAppId: o.oauthAppId, removed: true };
        },
        () => 'removed',
      );
    });

  token
    .command('bindings')
    .description('list provider app bindings')
    .option('--app <appId>', 'only this FDS app')
    .action(async (o: { app?: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) =>
          (await ctx.services.storageTokens.listBindings(o.app)).map((b) => ({
            appId: b.app_id,
            provider: b.provider,
            oauthAppId: b.oauth_app_id,
            createdAt: b.created_at,
          })),
        (rows) => table(rows, ['appId', 'provider', 'oauthAppId']),
      );
    });
}
