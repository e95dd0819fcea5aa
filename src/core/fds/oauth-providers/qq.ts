// QQ Connect: `GET /oauth2.0/me?access_token=…` answers, by default, the JSONP-like body
// `callback( {"client_id":"…","openid":"…"} );\n` (oauth-providers.md §1). Errors come with
// status 200 in the same wrapper: `{"error":100016,"error_description":"…"}`. The reply never says
// "wrong app": the caller compares `client_id` itself.
import { badReply, clip, idString, jsonObject, type Provider, rejected } from './types.ts';

/** Removes the `callback( … );` wrapper (any spacing, optional newline); bare JSON passes through. */
export function unwrapJsonp(body: string): string {
  const t = body.trim();
  const m = /^[A-Za-z_$][\w$]*\s*\(([\s\S]*)\)\s*;?$/.exec(t);
  return m?.[1] ? m[1].trim() : t;
}

export const qq: Provider = {
  name: 'QQ',
  requests(input, env) {
    return [{ method: 'GET', url: `${env.baseUrl}/oauth2.0/me?access_token=${encodeURIComponent(input.accessToken)}`, headers: {} }];
  },
  interpret(_input, [reply]) {
    if (!reply) return badReply('QQ: no reply');
    const o = jsonObject(unwrapJsonp(reply.body));
    if (!o) return badReply(`QQ /oauth2.0/me answered HTTP ${reply.status} with an unreadable body`);
    if (o.error !== undefined) return rejected(`QQ refused the token (${clip(o.error)}: ${clip(o.error_description)})`);
    const appId = idString(o.client_id);
    const openId = idString(o.openid);
    if (reply.status !== 200 || !appId || !openId)
      return badReply(`QQ /oauth2.0/me answered HTTP ${reply.status} without client_id and openid`);
    return { ok: true, providerUserId: openId, providerAppId: appId };
  },
};
