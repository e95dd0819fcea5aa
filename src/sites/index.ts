// Which route plugins each origin serves. Each site folder exports its plugin; add it here. Every
// plugin is registered in a scope of its own (server.ts buildSite), with its own body parsers,
// hooks and error family.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Context } from '../context.ts';
import type { SiteName } from '../http/site-server.ts';
import { accountCenterRoutes } from './account/account-center/plugin.ts';
import { adminApiRoutes } from './account/admin/plugin.ts';
import { adminConsoleRoutes } from './account/admin-console/plugin.ts';
import { checkPasswordRoutes } from './account/check-password/routes.ts';
import { consoleRoutes } from './account/console/plugin.ts';
import { devOutboxRoutes } from './account/dev-outbox.ts';
import { factorRoutes } from './account/factors/plugin.ts';
import { friendsRoutes } from './account/friends.ts';
import { oauthSite } from './account/oauth/plugin.ts';
import { avatarRoutes } from './account/open/avatar.ts';
import { openRoutes } from './account/open/plugin.ts';
import { passbookApiRoutes } from './account/passbook/issuing.ts';
import { rootRoutes } from './account/root.ts';
import { selfServiceRoutes } from './account/self-service/plugin.ts';
import { ssoRoutes } from './account/sso.ts';
import { FDS_FASTIFY_OPTIONS } from './fds/fastify-options.ts';
import { fdsRoutes } from './fds/plugin.ts';

export type SitePlugin = (app: FastifyInstance, ctx: Context) => Promise<void>;

export const SITE_PLUGINS: Record<SiteName, SitePlugin[]> = {
  account: [
    rootRoutes,
    openRoutes,
    avatarRoutes,
    passbookApiRoutes,
    checkPasswordRoutes,
    friendsRoutes,
    oauthSite,
    ssoRoutes,
    devOutboxRoutes,
    selfServiceRoutes,
    accountCenterRoutes,
    factorRoutes,
    adminApiRoutes,
    consoleRoutes,
    adminConsoleRoutes,
  ],
  fds: [fdsRoutes],
};

/** Extra Fastify options per origin (FDS: absolute-form request targets). */
export const SITE_FASTIFY_OPTIONS: Partial<Record<SiteName, Partial<FastifyServerOptions>>> = {
  fds: FDS_FASTIFY_OPTIONS,
};
