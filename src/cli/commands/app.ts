// `opal app …`: manage developer apps (OAuth clients).
import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import { type App, type AppFlags, FLAG_NAMES, parseScopeList } from '../../services/apps.ts';
import type { FdsKey } from '../../services/fds/keys.ts';
import { remoteCapable } from '../remote.ts';
import { fields, table, withContext, withStoreOrRemote } from '../run.ts';

function parseFlags(list: string[] | undefined): AppFlags | undefined {
  if (!list || list.length === 0) return undefined;
  const flags: Record<string, boolean> = {};
  for (const item of list) {
    const m = /^(\w+)(?:=(true|false))?$/.exec(item);
    const name = m?.[1];
    if (!m || !name || !(FLAG_NAMES as readonly string[]).includes(name)) {
      throw new InvalidInputError(`unknown flag "${item}" (known: ${FLAG_NAMES.join(', ')}; write name or name=false)`);
    }
    flags[name] = m[2] !== 'false';
  }
  return flags as AppFlags;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** What `fds-key` and `rotate-fds-key` print. */
const keyInfo = (clientId: string, k: FdsKey) => ({
  clientId,
  developerId: k.developerId,
  accessKeyId: k.accessKeyId,
  accessSecret: k.accessSecret,
});

export function registerApp(program: Command): void {
  const app = program.command('app').description('manage apps (OAuth clients)');

  app
    .command('create')
    .description('create an app; prints clientId and clientSecret (the secret is shown only once)')
    .requiredOption('--name <name>', 'app name shown on the consent page')
    .requiredOption('--redirect-uri <uris>', 'registered redirect URIs, ";"-separated')
    .option('--scopes <list>', 'enabled scopes, comma-separated (e.g. 1,2,3,4,6,16000)', '1')
    .option('--developer <name>', 'developer that owns the app (created if new)', 'default')
    .option('--flag <name[=false]>', `per-app switch, repeatable: ${FLAG_NAMES.join(', ')}`, collect)
    .action(async (o: { name: string; redirectUri: string; scopes: string; developer: string; flag?: string[] }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const { app: a, clientSecret } = await ctx.services.apps.create({
            name: o.name,
            redirectUris: o.redirectUri,
            scopes: parseScopeList(o.scopes),
            developer: o.developer,
            flags: parseFlags(o.flag),
          });
          await ctx.services.audit.record({ type: 'app.created', actor: 'cli', clientId: a.clientId });
          const fds = await ctx.services.fdsKeys.ensure(a.clientId);
          return { ...a, clientSecret, accessKeyId: fds.accessKeyId, accessSecret: fds.accessSecret };
        },
        (a) =>
          fields({
            clientId: a.clientId,
            clientSecret: a.clientSecret,
            developerId: a.developerId,
            accessKeyId: a.accessKeyId,
            accessSecret: a.accessSecret,
            name: a.name,
            redirectUris: a.redirectUris,
            scopes: a.scopes,
          }),
      );
    });

  const list = app
    .command('list')
    .description('list apps')
    .action(async (_o: unknown, cmd: Command) => {
      await withStoreOrRemote<App[]>(
        cmd,
        (ctx) => ctx.services.apps.list(),
        async (api) => (await api.call<{ apps: App[] }>('GET', '/apps')).apps,
        (rows) =>
          table(
            rows.map((a) => ({ ...a, scopes: a.scopes.join(',') })),
            ['clientId', 'name', 'developerId', 'scopes', 'redirectUris'],
          ),
      );
    });
  remoteCapable(list, 'GET /apps');

  app
    .command('show')
    .description('show one app')
    .argument('<clientId>')
    .action(async (clientId: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        (ctx) => ctx.services.apps.require(clientId),
        (a) => fields({ ...a }),
      );
    });

  app
    .command('update')
    .description("change an app's name, redirect URIs or switches")
    .argument('<clientId>')
    .option('--name <name>', 'app name')
    .option('--redirect-uri <uris>', 'registered redirect URIs, ";"-separated')
    .option('--flag <name[=false]>', `per-app switch, repeatable: ${FLAG_NAMES.join(', ')}`, collect)
    .action(async (clientId: string, o: { name?: string; redirectUri?: string; flag?: string[] }, cmd: Command) => {
      await withContext(
        cmd,
        (ctx) => {
          const flags = parseFlags(o.flag);
          return ctx.services.apps.update(clientId, {
            ...(o.name !== undefined ? { name: o.name } : {}),
            ...(o.redirectUri !== undefined ? { redirectUris: o.redirectUri } : {}),
            ...(flags ? { flags } : {}),
          });
        },
        (a) => fields({ ...a }),
      );
    });

  app
    .command('rotate-secret')
    .description('replace the client secret; prints the new one (shown only once)')
    .argument('<clientId>')
    .action(async (clientId: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const clientSecret = await ctx.services.apps.rotateSecret(clientId);
          await ctx.services.audit.record({ type: 'app.secret_rotated', actor: 'cli', clientId });
          return { clientId, clientSecret };
        },
        (r) => fields(r),
      );
    });

  app
    .command('fds-key')
    .description("show the app's FDS access key and secret (created if missing); the key acts for the app's developer")
    .argument('<clientId>')
    .action(async (clientId: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => keyInfo(clientId, await ctx.services.fdsKeys.ensure(clientId)),
        (r) => fields(r),
      );
    });

  app
    .command('rotate-fds-key')
    .description('replace the FDS access secret (the access key id stays, so ACL grants naming it keep working)')
    .argument('<clientId>')
    .action(async (clientId: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const k = await ctx.services.fdsKeys.rotate(clientId);
          await ctx.services.audit.record({ type: 'app.fds_key_rotated', actor: 'cli', clientId });
          return keyInfo(clientId, k);
        },
        (r) => fields(r),
      );
    });

  app
    .command('scopes')
    .description('show or set the scopes an app is enabled for')
    .argument('<clientId>')
    .argument('[scopes]', 'new comma-separated scope list')
    .action(async (clientId: string, scopes: string | undefined, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const a =
            scopes === undefined
              ? await ctx.services.apps.require(clientId)
              : await ctx.services.apps.setScopes(clientId, parseScopeList(scopes));
          return { clientId: a.clientId, scopes: a.scopes };
        },
        (r) => r.scopes.join(','),
      );
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    const cmd = app
      .command(name)
      .description(
        disabled
          ? 'disable an app: unknown to authorize, token, open APIs and checkPassword; its tokens stop working on every node'
          : 'enable a disabled app',
      )
      .argument('<clientId>')
      .action(async (clientId: string, _o: unknown, c: Command) => {
        await withStoreOrRemote<App>(
          c,
          (ctx) => ctx.services.admin.setAppDisabled(clientId, disabled, { actor: 'cli' }),
          (api) => api.call<App>('POST', `/apps/${encodeURIComponent(clientId)}/${name}`),
          (a) => `${a.clientId} ${a.disabled ? 'disabled' : 'enabled'}`,
          // Forgetting cached tokens tells every node through the shared cache.
          { full: true },
        );
      });
    remoteCapable(cmd, `POST /apps/{clientId}/${name}`);
  }

  app
    .command('delete')
    .description('delete an app')
    .argument('<clientId>')
    .action(async (clientId: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          await ctx.services.apps.delete(clientId);
          await ctx.services.audit.record({ type: 'app.deleted', actor: 'cli', clientId });
          return { clientId, deleted: true };
        },
        (r) => `deleted app ${r.clientId}`,
      );
    });
}
