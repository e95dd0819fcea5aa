// `opal keys …` (OpenID Connect id_token signing keys) and `opal oidc client …` (an app's OIDC
// settings). A rotation signs new id_tokens with new keys at once on every node; the retired keys
// stay published at /jwks.json until every id_token they signed has expired.
import type { Command } from 'commander';
import { table, withContext } from '../run.ts';

const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage the OpenID Connect id_token signing keys (RS256 and ES256)');
  keys
    .command('list')
    .description('list the published keys (signing keys and retired keys still published)')
    .action(async (_o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => ({ keys: await ctx.services.oidc.keys.list() }),
        (r) =>
          table(
            r.keys.map((k) => ({ ...k, createdAt: when(k.createdAt), retiredAt: when(k.retiredAt) })),
            ['kid', 'alg', 'createdAt', 'retiredAt'],
          ),
      );
    });
  keys
    .command('rotate')
    .description('create new signing keys; the previous keys retire and stay published until their id_tokens expire')
    .action(async (_o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => ({ keys: await ctx.services.oidc.keys.rotate() }),
        (r) => `new signing keys: ${r.keys.map((k) => `${k.kid} (${k.alg})`).join(', ')}`,
      );
    });

  const oidc = program.command('oidc').description('OpenID Connect settings of apps');
  oidc
    .command('client')
    .description("show or set an app's OpenID Connect settings")
    .argument('<app>', 'clientId')
    .option('--post-logout-uri <uris>', 'registered post_logout_redirect_uri values, ";"-separated, matched exactly ("" for none)')
    .option('--id-token-alg <alg>', 'RS256 (default) or ES256')
    .action(async (clientId: string, o: { postLogoutUri?: string; idTokenAlg?: string }, cmd: Command) => {
      await withContext(
        cmd,
        (ctx) =>
          o.postLogoutUri === undefined && o.idTokenAlg === undefined
            ? ctx.services.oidc.client(clientId)
            : ctx.services.oidc.configureClient(clientId, { postLogoutUris: o.postLogoutUri, idTokenAlg: o.idTokenAlg }),
        (r) => `app ${r.clientId}: id_token ${r.idTokenAlg}; post-logout URIs: ${r.postLogoutUris || '(none)'}`,
      );
    });
}
