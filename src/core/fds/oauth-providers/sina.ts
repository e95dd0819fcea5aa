// Sina Weibo: `POST /oauth2/get_token_info` with `access_token` in a form body answers
// `{"uid":<int64>,"appkey":"…","scope":"","create_at":…,"expire_in":…}` (oauth-providers.md §2).
// Errors: `{"error":"…","error_code":<int>,"request":"…"}` with a non-2xx status; decide on the
// `error_code` key, not on the status. A token with `expire_in <= 0` is dead.
import { badReply, clip, idString, jsonObject, type Provider, rejected } from './types.ts';

export const sina: Provider = {
  name: 'Sina',
  requests(input, env) {
    return [
      {
        method: 'POST',
        url: `${env.baseUrl}/oauth2/get_token_info`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `access_token=${encodeURIComponent(input.accessToken)}`,
      },
    ];
  },
  interpret(_input, [reply]) {
    if (!reply) return badReply('Sina: no reply');
    const o = jsonObject(reply.body);
    if (!o) return badReply(`Sina get_token_info answered HTTP ${reply.status} with an unreadable body`);
    if (o.error_code !== undefined || o.error !== undefined) {
      return rejected(`Sina refused the token (${clip(o.error_code)}: ${clip(o.error)})`);
    }
    const uid = idString(o.uid);
    const appKey = idString(o.appkey);
    if (reply.status !== 200 || !uid || !appKey)
      return badReply(`Sina get_token_info answered HTTP ${reply.status} without uid and appkey`);
    if (typeof o.expire_in === 'number' && o.expire_in <= 0) return rejected('Sina: the token has expired (expire_in <= 0)');
    return { ok: true, providerUserId: uid, providerAppId: appKey };
  },
};
