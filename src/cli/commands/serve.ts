// `opal serve`: starts the account and FDS origins (or one of them with --only).
import type { Command } from 'commander';
import { isEmbedded, loadConfig } from '../../config.ts';
import { capYoungGeneration } from '../../lib/young-generation.ts';
import type { DemoSeed } from '../../services/demo.ts';
import { fail, wantsJson } from '../run.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start Opal: the account origin (OPAL_PORT) and the FDS origin (OPAL_FDS_PORT)')
    .option('--only <site>', 'serve one site only: account or fds')
    .option('--no-demo', 'do not create demo data on an empty embedded store')
    .option('--port <n>', 'account origin port (overrides OPAL_PORT)')
    .option('--fds-port <n>', 'FDS origin port (overrides OPAL_FDS_PORT)')
    .option('--strict-permissions', 'refuse to start when the data directory is open to other local users (OPAL_STRICT_PERMISSIONS)')
    .action(async (opts: { only?: string; demo: boolean; port?: string; fdsPort?: string; strictPermissions?: boolean }, cmd: Command) => {
      const json = wantsJson(cmd);
      try {
        const env = { ...process.env };
        if (opts.only) env.OPAL_SITES = opts.only;
        if (opts.port) env.OPAL_PORT = opts.port;
        if (opts.fdsPort) env.OPAL_FDS_PORT = opts.fdsPort;
        if (!opts.demo) env.OPAL_DEMO = 'false';
        if (opts.strictPermissions) env.OPAL_STRICT_PERMISSIONS = 'true';
        const config = loadConfig(env);
        // Loaded here, not at the top: the sites are the largest part of the code, and the other
        // commands start faster without them.
        const { startServer } = await import('../../server.ts');
        const { demoTryUrl, isEmptyStore, seedDemo } = await import('../../services/demo.ts');
        const server = await startServer(config);
        const log = server.apps.account?.log ?? server.apps.fds?.log;
        // Graceful shutdown from the moment the listeners are up (also while demo data is seeded).
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          log?.info({ signal }, 'shutting down');
          server.close().then(
            () => process.exit(0),
            (e: unknown) => {
              log?.error({ err: e }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
        if (config.sites.length === 1 && !config.redisUrl) {
          log?.warn(
            'serving one site with the in-process cache: revocations, nonce windows and rate limits are not shared with the process serving the other site; set OPAL_REDIS_URL',
          );
        }
        let demo: DemoSeed | undefined;
        if (config.demo && isEmbedded(config) && (await isEmptyStore(server.ctx.services)))
          demo = await seedDemo(server.ctx.services, server.urls.account);
        const tryUrl = demo && server.urls.account ? demoTryUrl(server.urls.account, demo) : undefined;
        const info = { urls: server.urls, dataDir: isEmbedded(config) ? config.dataDir : undefined, demo: demo && { ...demo, tryUrl } };
        if (json) process.stdout.write(`${JSON.stringify({ event: 'listening', ...info })}\n`);
        else {
          const lines = ['Opal is running.'];
          if (server.urls.account) lines.push(`  account origin: ${server.urls.account}`);
          if (server.urls.fds) lines.push(`  FDS origin:     ${server.urls.fds}`);
          if (info.dataDir) lines.push(`  data:           ${info.dataDir}`);
          if (demo) {
            lines.push('Demo data created (shown once):');
            lines.push(`  login:          ${demo.account} / ${demo.password}`);
            lines.push(`  app clientId:   ${demo.clientId}`);
            lines.push(`  app secret:     ${demo.clientSecret}`);
            lines.push(`  redirect URI:   ${demo.redirectUri}`);
            if (tryUrl) {
              lines.push(`  try:            ${tryUrl}`);
              lines.push(`  (signs in as the demo user and ends on the OAuth playground: ${server.urls.account}/playground)`);
            }
          }
          process.stderr.write(`${lines.join('\n')}\n`);
        }
        // Start-up (and the demo seed) ran with the young generation at its initial size; from
        // here it may grow under load, up to its cap (lib/young-generation.ts).
        capYoungGeneration();
      } catch (e) {
        fail(e, json);
      }
    });
}
