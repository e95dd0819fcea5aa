// The composition root: builds the context from configuration, mounts each site on its origin and
// listens. close() stops accepting, lets in-flight requests finish, then closes the stores.
import type { FastifyInstance, FastifyServerOptions, RouteOptions } from 'fastify';
import { type Config, ConfigError, isEmbedded } from './config.ts';
import { type Context, createContext } from './context.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { createSiteServer, type SiteName } from './http/site-server.ts';
import { shadowedBuckets } from './services/fds/shadowed-buckets.ts';
import { provision } from './services/provision.ts';
import { SITE_FASTIFY_OPTIONS, SITE_PLUGINS } from './sites/index.ts';
import { describeLoose, loosePermissions } from './store/data-dir.ts';
import { OPAL_VERSION } from './version.ts';

export interface RunningServer {
  ctx: Context;
  /** Base URL of each started origin, e.g. { account: 'http://127.0.0.1:8080' }. */
  urls: Partial<Record<SiteName, string>>;
  apps: Partial<Record<SiteName, FastifyInstance>>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: FastifyServerOptions['logger'];
  /** Use this context instead of building one (tests). */
  ctx?: Context;
  pgSchema?: string;
}

/** Builds one site's Fastify instance with its route plugins (not listening yet). */
export async function buildSite(
  site: SiteName,
  ctx: Context,
  opts: {
    logger?: FastifyServerOptions['logger'];
    ready?: () => boolean;
    metrics?: Metrics;
    /** Sees every route the site registers (the OpenAPI test collects them). */
    onRoute?: (route: RouteOptions) => void;
  } = {},
): Promise<FastifyInstance> {
  const app = createSiteServer({
    site,
    ctx,
    metrics: opts.metrics ?? createMetrics(),
    ready: opts.ready ?? (() => true),
    ...(SITE_FASTIFY_OPTIONS[site] ? { fastify: SITE_FASTIFY_OPTIONS[site] } : {}),
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.onRoute ? { onRoute: opts.onRoute } : {}),
  });
  for (const plugin of SITE_PLUGINS[site]) await app.register(async (scope) => plugin(scope, ctx));
  await app.ready();
  return app;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const ctx = opts.ctx ?? (await createContext(config, opts.pgSchema ? { pgSchema: opts.pgSchema } : {}));
  let stopping = false;
  const metrics = createMetrics();
  const apps: Partial<Record<SiteName, FastifyInstance>> = {};
  const urls: Partial<Record<SiteName, string>> = {};

  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  try {
    // The data directory holds secrets (docs/security.md): too open, refuse (strict) or warn.
    const usesDataDir = isEmbedded(config) || config.blobUrl === undefined;
    const loose = usesDataDir ? loosePermissions(config.dataDir) : [];
    if (loose.length > 0 && config.strictPermissions) {
      throw new ConfigError(loose.map((p) => `${describeLoose(p)}: group and others must have no access (chmod go-rwx)`));
    }
    await provision(config, ctx.services);
    for (const site of config.sites) {
      const app = await buildSite(site, ctx, { logger: opts.logger, ready: () => !stopping, metrics });
      apps[site] = app;
      await app.listen({ host: config.host, port: site === 'account' ? config.port : config.fdsPort });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      urls[site] = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    }
    const serves = (site: SiteName) => config.sites.includes(site);
    const log = Object.values(apps)[0]?.log;
    for (const p of loose)
      log?.warn(
        { path: p.path, mode: p.mode.toString(8) },
        `${describeLoose(p)}: other local users can read Opal's data (chmod go-rwx; --strict-permissions refuses to start)`,
      );
    if (serves('fds'))
      for (const bucket of await shadowedBuckets(ctx.services.fds.repos))
        log?.warn(
          { bucket },
          `FDS bucket "${bucket}" exists but its name is reserved: the FDS origin serves /${bucket} itself, so the bucket cannot be reached; copy its objects to a bucket of another name`,
        );
    ctx.startBackground({ purges: serves('account'), sweeper: serves('fds'), storageTokenRevocations: serves('fds') }, (err, what) =>
      log?.warn({ err }, what),
    );
    // The node registry of the admin status: listed from now on, renewed every heartbeat.
    await ctx.services.nodes
      .start({ version: OPAL_VERSION, urls: { ...urls } }, (err) => log?.warn({ err }, 'node registry heartbeat failed'))
      .catch((err: unknown) => log?.warn({ err }, 'node registry: this node could not be recorded'));
  } catch (e) {
    await Promise.allSettled(Object.values(apps).map((a) => a.close()));
    if (!opts.ctx) await ctx.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    ctx,
    urls,
    apps,
    close() {
      closing ??= (async () => {
        stopping = true;
        // Stop accepting, let in-flight requests finish (connections that fall idle meanwhile are
        // closed as they do); past the grace period, cut what is left.
        const reaper = setInterval(() => {
          for (const a of Object.values(apps)) a.server.closeIdleConnections();
        }, 100);
        const timer = setTimeout(() => {
          for (const a of Object.values(apps)) a.server.closeAllConnections();
        }, config.shutdownGraceMs);
        timer.unref();
        await Promise.allSettled(Object.values(apps).map((a) => a.close()));
        clearTimeout(timer);
        clearInterval(reaper);
        await ctx.services.nodes.stop().catch(() => undefined);
        if (!opts.ctx) await ctx.close();
      })();
      return closing;
    },
  };
}
