// Which route plugins each origin serves. Each site folder exports its plugin; add it here.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Context } from '../context.ts';
import type { SiteName } from '../http/site-server.ts';
import { oauthSite } from './account/oauth/plugin.ts';
import { openRoutes } from './account/open/plugin.ts';
import { rootRoutes } from './account/root.ts';
import { ssoRoutes } from './account/sso.ts';
import { FDS_FASTIFY_OPTIONS } from './fds/fastify-options.ts';
import { fdsRoutes } from './fds/plugin.ts';

export type SitePlugin = (app: FastifyInstance, ctx: Context) => Promise<void>;

export const SITE_PLUGINS: Record<SiteName, SitePlugin[]> = {
  account: [rootRoutes, openRoutes, oauthSite, ssoRoutes],
  fds: [fdsRoutes],
};

/** Extra Fastify options per origin (FDS: absolute-form request targets). */
export const SITE_FASTIFY_OPTIONS: Partial<Record<SiteName, Partial<FastifyServerOptions>>> = {
  fds: FDS_FASTIFY_OPTIONS,
};
