// `GET /?storageAccessToken&appId=…&oauthAppId=…&oauthAccessToken=…&oauthProvider=…` on the FDS
// origin (fds-protocol §2.4, step 1), with or without `Authorization: OAuth`: the storage-token
// service verifies the token at its provider; the answer is `{"token":"…","expireTime":<ms>}` or
// an FDS error body (400 Invalid OAuth Parameters / Verify OAuth Access Token Error, 429, 502).
import { StorageAccessTokenResult } from '../../core/fds/responses.ts';
import type { FdsCall } from './call.ts';
import { sendJson } from './replies.ts';

/** Refusals are thrown as FdsError and answered by the FDS error handler. */
export async function exchangeStorageToken(c: FdsCall): Promise<void> {
  const r = await c.env.ctx.services.storageTokens.exchange(c.params, c.ip);
  c.reply.header('cache-control', 'no-store');
  sendJson(c, StorageAccessTokenResult, { token: r.token, expireTime: r.expireTime });
}
