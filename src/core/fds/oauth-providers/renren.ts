// RenRen API v2: no introspection endpoint, so two Bearer calls: `GET /v2/user/login/get` (the
// token's user, `response.id`) and `GET /v2/app/get` (the token's app, `response.id`)
// (oauth-providers.md §3). Errors: `{"error":{"code":"invalid_authorization.INVALID-TOKEN","message":"…"}}`
// with 400/401/403/500.
import { badReply, clip, idString, jsonObject, type Provider, type ProviderReply, rejected, type Verification } from './types.ts';

function read(label: string, reply: ProviderReply | undefined): { id: string } | Verification {
  if (!reply) return badReply(`RenRen ${label}: no reply`);
  const o = jsonObject(reply.body);
  if (!o) return badReply(`RenRen ${label} answered HTTP ${reply.status} with an unreadable body`);
  if (o.error !== undefined) {
    const e = (typeof o.error === 'object' && o.error !== null ? o.error : {}) as Record<string, unknown>;
    return rejected(`RenRen refused the token (${clip(e.code ?? o.error)}: ${clip(e.message ?? o.error_description)})`);
  }
  const r = o.response;
  const id = typeof r === 'object' && r !== null ? idString((r as Record<string, unknown>).id) : undefined;
  if (reply.status !== 200 || !id) return badReply(`RenRen ${label} answered HTTP ${reply.status} without response.id`);
  return { id };
}

export const renren: Provider = {
  name: 'RenRen',
  requests(input, env) {
    const headers = { authorization: `Bearer ${input.accessToken}` };
    return [
      { method: 'GET', url: `${env.baseUrl}/v2/user/login/get`, headers },
      { method: 'GET', url: `${env.baseUrl}/v2/app/get`, headers },
    ];
  },
  interpret(_input, [userReply, appReply]) {
    const user = read('/v2/user/login/get', userReply);
    if (!('id' in user)) return user;
    const app = read('/v2/app/get', appReply);
    if (!('id' in app)) return app;
    return { ok: true, providerUserId: user.id, providerAppId: app.id };
  },
};
