// The common request handling of every open API (account-protocol §6.1, §5.4, §5.5): client id
// (`clientId` or `client_id`), the access token (query/body `token`, the MAC header's access_token,
// or a Bearer header for bearer-token apps), token validity, client match, the MAC header (optional,
// verified when present, required for apps with the requireMac flag), and the API's scope.
import type { Context } from '../../../context.ts';
import { XM, XmOAuthError } from '../../../core/account/errors.ts';
import { isMacScheme, type MacHeader, parseMacHeader } from '../../../core/account/mac-header.ts';
import { isNumericId } from '../../../core/account/numeric-id.ts';
import type { App } from '../../../services/apps.ts';
import type { AccessTokenInfo } from '../../../services/oauth/types.ts';
import type { User } from '../../../services/users.ts';
import { AccessDenied } from './errors.ts';
import { checkMac } from './mac-check.ts';
import type { OpenRequest } from './request.ts';

export interface OpenCall {
  token: AccessTokenInfo;
  /** The access token string (for audit-free look-ups only; never log it). */
  app: App;
  user: User;
  /** Whether the request carried a verified MAC header. */
  macVerified: boolean;
}

export interface OpenApiRule {
  /** The call needs at least one of these scopes (granted to the token and enabled for the app). */
  anyScope: readonly number[];
  /** Host names that MAC canonical strings may carry besides config macHosts (passbook host). */
  extraHosts?: readonly string[];
}

function denied(why: string): AccessDenied {
  return new AccessDenied(why);
}

export async function authenticate(ctx: Context, r: OpenRequest, authorization: string | undefined, rule: OpenApiRule): Promise<OpenCall> {
  let mac: MacHeader | undefined;
  let bearer: string | undefined;
  if (authorization && isMacScheme(authorization)) {
    const parsed = parseMacHeader(authorization);
    if (!parsed) throw denied('malformed MAC header');
    mac = parsed;
  } else if (authorization && /^\s*Bearer\s+/i.test(authorization)) {
    bearer = authorization.replace(/^\s*Bearer\s+/i, '').trim();
  }

  const queryToken = r.get('token');
  const token = queryToken || mac?.accessToken || bearer;
  if (!token) throw new XmOAuthError(XM.INVALID_REQUEST, 'invalid request: missing token');
  if (mac && queryToken && mac.accessToken !== queryToken && mac.accessToken.replace(/\+/g, ' ') !== queryToken) {
    throw denied('access_token of the MAC header differs from the token parameter');
  }
  if (bearer && queryToken && bearer !== queryToken) throw denied('Bearer token differs from the token parameter');

  const clientId = r.get('clientId') ?? r.get('client_id');
  if (clientId !== undefined && !isNumericId(clientId)) throw new XmOAuthError(XM.INVALID_REQUEST, 'invalid request: malformed clientId');
  const named = clientId !== undefined ? await ctx.services.apps.get(clientId) : undefined;
  if (clientId !== undefined && !named) throw new XmOAuthError(XM.CLIENT_NOT_EXISTS);

  const info = await ctx.services.oauth.resolveAccessToken(token);
  if (!info) throw new XmOAuthError(XM.INVALID_TOKEN);
  if (clientId !== undefined && clientId !== info.clientId) throw denied('access token and client id do not match');
  const app = named ?? (await ctx.services.apps.get(info.clientId));
  if (!app) throw new XmOAuthError(XM.INVALID_TOKEN);

  let macVerified = false;
  if (mac) {
    if (info.tokenType !== 'mac' || !info.macKey) throw denied('MAC header on a bearer token');
    const failure = await checkMac({
      header: mac,
      macKey: info.macKey,
      request: r,
      publicHosts: [...ctx.config.macHosts, ...(rule.extraHosts ?? [])],
      window: { windowMinutes: ctx.config.macNonceWindowMinutes, csharpCompat: ctx.config.macNonceCsharpCompat },
      cache: ctx.cache,
      now: Date.now(),
      offsetTtlMs: Math.max(60_000, info.expiresAt - Date.now()),
    });
    if (failure === 'nonce-format') throw denied('malformed nonce');
    if (failure === 'nonce-time') throw denied('nonce expired');
    if (failure === 'replay') throw denied('nonce has been used');
    if (failure === 'mac') throw denied('MAC signature of the request can not be verified');
    macVerified = true;
  } else if (app.flags.requireMac && info.tokenType === 'mac') {
    throw denied('this app requires a MAC header');
  }

  if (!rule.anyScope.some((s) => info.scopes.includes(s) && app.scopes.includes(s))) {
    throw new XmOAuthError(XM.UNAUTHORIZED_CLIENT);
  }
  const user = await ctx.services.users.get(info.userId);
  if (!user) throw new XmOAuthError(XM.INVALID_TOKEN);
  return { token: info, app, user, macVerified };
}
