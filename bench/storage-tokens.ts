// FDS storage tokens: exchange rate of QQ tokens at `GET /?storageAccessToken…` (each exchange
// calls a fake QQ /oauth2.0/me on loopback, run in this process beside the server), then the
// rate of small-object GETs authenticated by a storage token, by an SSO serviceToken and, for
// comparison, by a presigned URL (Galaxy-V2). Embedded stores (SQLite, memory cache); the load
// generator (bench/storage-tokens-load.mjs) runs as a second process.
//
//   node --import tsx bench/storage-tokens.ts [exchanges=2000] [gets=5000] [connections=32]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { presignUrl } from '../src/core/fds/presign.ts';
import { authorizationHeader } from '../src/core/fds/signer.ts';
import { startFakeProviders } from '../test/helpers/fake-providers.ts';
import { type LatencyResult, runLoad, startBenchServer } from './lib/bench-server.ts';

const exchanges = Number(process.argv[2] ?? 2000);
const gets = Number(process.argv[3] ?? 5000);
const connections = Number(process.argv[4] ?? 32);
const LOAD = fileURLToPath(new URL('./storage-tokens-load.mjs', import.meta.url));

const fakes = await startFakeProviders();
const bench = await startBenchServer({
  OPAL_FDS_PORT: '0',
  OPAL_SITES: 'fds',
  OPAL_FDS_OAUTH_QQ_URL: fakes.qq.url,
  OPAL_FDS_TOKEN_EXCHANGE_PER_MINUTE: '0',
});
const { server, ctx, dir } = bench;
const fds = server.urls.fds ?? '';
const { app } = await ctx.services.apps.create({ name: 'Bench', redirectUris: 'https://bench.example/cb' });
const key = await ctx.services.fdsKeys.ensure(app.clientId);
const signed = async (method: string, path: string, body?: string) => {
  const headers: Record<string, string> = { date: new Date().toUTCString() };
  if (body) headers['content-type'] = 'application/octet-stream';
  headers.authorization = authorizationHeader(
    { method, path: path.split('?')[0] ?? path, query: path.split('?')[1] ?? '', headers: Object.entries(headers) },
    key.accessKeyId,
    key.accessSecret,
  );
  const r = await fetch(fds + path, { method, headers, ...(body ? { body } : {}) });
  if (r.status !== 200) throw new Error(`${method} ${path} → ${r.status} ${await r.text()}`);
};
await signed('PUT', '/bench');
await signed('PUT', '/bench/hello.txt', 'hello, storage tokens');
await signed(
  'PUT',
  '/bench?acl',
  JSON.stringify({ accessControlList: [{ grantee: { id: 'AUTHENTICATED_USERS' }, permission: 'READ_OBJECTS', type: 'GROUP' }] }),
);
const st = ctx.services.storageTokens;
await st.bind(app.clientId, 'QQ', '101364207');

const exchangeItems = [];
for (let i = 0; i < exchanges; i++) {
  const t = `qq-${i}`;
  fakes.qq.tokens.set(t, { userId: (0x100000 + i).toString(16).toUpperCase().padStart(32, '0'), appId: '101364207' });
  exchangeItems.push({
    url: `${fds}/?storageAccessToken&appId=${app.clientId}&oauthAppId=101364207&oauthAccessToken=${t}&oauthProvider=QQ`,
    headers: { authorization: 'OAuth' },
  });
}
const load = (items: unknown[]) => {
  const file = join(dir, `items-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(items));
  return runLoad<LatencyResult>(LOAD, { file, connections });
};
const exchange = await load(exchangeItems);

const q = new Map(Object.entries({ appId: app.clientId, oauthAppId: '101364207', oauthAccessToken: 'qq-0', oauthProvider: 'QQ' }));
const { token } = await st.exchange(q, '127.0.0.1');
const user = await ctx.services.users.create({ account: 'bench', password: 'bench-password' });
const { serviceToken } = await st.issueServiceToken(user.userId, '127.0.0.1');
const expires = Date.now() + 3600_000;
const presigned = presignUrl(fds, {
  method: 'GET',
  bucket: 'bench',
  object: 'hello.txt',
  expires,
  accessKeyId: key.accessKeyId,
  secret: key.accessSecret,
});
const repeat = (item: unknown) => Array.from({ length: gets }, () => item);
const oauthGet = await load(
  repeat({ url: `${fds}/bench/hello.txt?appId=${app.clientId}&storageAccessToken=${token}`, headers: { authorization: 'OAuth' } }),
);
const ssoGet = await load(repeat({ url: `${fds}/bench/hello.txt?serviceToken=${serviceToken}`, headers: { authorization: 'SSO' } }));
const presignedGet = await load(repeat({ url: presigned }));

await bench.close();
await fakes.close();

console.log(JSON.stringify({ exchanges, gets, connections, node: process.version, exchange, oauthGet, ssoGet, presignedGet }, null, 2));
console.log(`
| phase | requests | errors | req/s | p50 ms | p99 ms |
|---|---|---|---|---|---|
| QQ token exchange (fake QQ on loopback) | ${exchange.requests} | ${exchange.errors} | ${exchange.rps} | ${exchange.p50} | ${exchange.p99} |
| GET 21 B object, storage token | ${oauthGet.requests} | ${oauthGet.errors} | ${oauthGet.rps} | ${oauthGet.p50} | ${oauthGet.p99} |
| GET 21 B object, SSO serviceToken | ${ssoGet.requests} | ${ssoGet.errors} | ${ssoGet.rps} | ${ssoGet.p50} | ${ssoGet.p99} |
| GET 21 B object, presigned URL | ${presignedGet.requests} | ${presignedGet.errors} | ${presignedGet.rps} | ${presignedGet.p50} | ${presignedGet.p99} |`);
