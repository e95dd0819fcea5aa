// Xiaomi: a MAC-signed `GET /user/profile?clientId=<oauthAppId>&token=<token>` on the open API
// (account-protocol §5, §6.4; oauth-providers.md §4). Unlike the others, the app is an input: the
// open API itself refuses a token issued to another client (96012) or an unknown client (96001).
// Success: `{"result":"ok","code":0,"data":{"userId"?, "unionId", …}}`; error:
// `{"result":"error","code":<n>,"description":"…"}`.
import { canonicalString, macOf } from '../../account/mac-canonical.ts';
import { badReply, clip, idString, jsonObject, type Provider, type Verification } from './types.ts';
import { canonicalQuery, macHeader } from './xiaomi-mac.ts';

export const PROFILE_PATH = '/user/profile';

/** Open-API codes that mean "this token does not belong to that app" rather than "bad token". */
const WRONG_APP_CODES = new Set([96001, 96012]);

export const xiaomi: Provider = {
  name: 'XiaoMi',
  requests(input, env) {
    const base = new URL(env.baseUrl);
    const path = `${base.pathname.replace(/\/+$/, '')}${PROFILE_PATH}`;
    const query = canonicalQuery([
      ['clientId', input.oauthAppId],
      ['token', input.accessToken],
    ]);
    const headers: Record<string, string> = {};
    if (input.macKey) {
      const mac = macOf(input.macKey, canonicalString(env.nonce, 'GET', base.hostname, path, query));
      headers.authorization = macHeader(input.accessToken, env.nonce, mac);
    }
    return [{ method: 'GET', url: `${base.origin}${path}?${query}`, headers }];
  },
  interpret(input, [reply]): Verification {
    if (!reply) return badReply('XiaoMi: no reply');
    // Token-endpoint style replies may carry the `&&&START&&&` prefix; the open API does not, but tolerate it.
    const o = jsonObject(reply.body.replace(/^&&&START&&&/, ''));
    if (!o) return badReply(`XiaoMi ${PROFILE_PATH} answered HTTP ${reply.status} with an unreadable body`);
    if (o.result !== 'ok' || (o.code !== 0 && o.code !== '0')) {
      const code = Number(o.code);
      const why = `XiaoMi refused the token (${clip(o.code)}: ${clip(o.description)})`;
      return { ok: false, kind: WRONG_APP_CODES.has(code) ? 'wrong-app' : 'rejected', message: why };
    }
    const data = (typeof o.data === 'object' && o.data !== null ? o.data : {}) as Record<string, unknown>;
    const userId = idString(data.userId) ?? idString(data.unionId);
    if (!userId) return badReply(`XiaoMi ${PROFILE_PATH} answered without userId or unionId`);
    return { ok: true, providerUserId: userId, providerAppId: input.oauthAppId };
  },
};
