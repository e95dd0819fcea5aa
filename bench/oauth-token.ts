// Authorization-code exchange and refresh rates at /oauth2/token: `codes` codes pre-minted for
// one user across `clients` apps, each redeemed exactly once by GET (as the official SDKs send
// it), then every resulting refresh token rotated once. The server runs in this process with the
// embedded stores (SQLite, memory cache); the load generator (bench/oauth-token-load.mjs) in a
// second one.
//
//   node --import tsx bench/oauth-token.ts [codes=5000] [clients=50] [connections=32]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LatencyResult, runLoad, startBenchServer } from './lib/bench-server.ts';

const codes = Number(process.argv[2] ?? 5000);
const clients = Number(process.argv[3] ?? 50);
const connections = Number(process.argv[4] ?? 32);
const LOAD = fileURLToPath(new URL('./oauth-token-load.mjs', import.meta.url));
const CB = 'https://bench.example/cb';

const bench = await startBenchServer({ OPAL_SITES: 'account' });
const { server, ctx, dir } = bench;
const base = server.urls.account ?? '';
const user = await ctx.services.users.create({ account: 'bench', password: 'bench-password' });
const apps: Array<{ clientId: string; clientSecret: string }> = [];
for (let i = 0; i < clients; i++) {
  const { app, clientSecret } = await ctx.services.apps.create({ name: `Bench ${i}`, redirectUris: CB, scopes: [1, 3] });
  apps.push({ clientId: app.clientId, clientSecret });
}
const mintStart = Date.now();
const items = [];
for (let i = 0; i < codes; i++) {
  const a = apps[i % clients] ?? apps[0];
  if (!a) throw new Error('no apps');
  const code = await ctx.services.oauth.issueCode({ clientId: a.clientId, userId: user.userId, scopes: [1, 3], redirectUri: CB });
  const q = new URLSearchParams({
    client_id: a.clientId,
    redirect_uri: CB,
    client_secret: a.clientSecret,
    grant_type: 'authorization_code',
    code,
    token_type: 'mac',
  });
  items.push({ url: `${base}/oauth2/token?${q}`, clientId: a.clientId, clientSecret: a.clientSecret });
}
const mintSeconds = (Date.now() - mintStart) / 1000;
const codeFile = join(dir, 'codes.json');
const refreshOut = join(dir, 'refresh.txt');
writeFileSync(codeFile, JSON.stringify(items));

const load = (file: string, out?: string) => runLoad<LatencyResult>(LOAD, { file, connections, out });

const exchange = await load(codeFile, refreshOut);
const refreshItems = readFileSync(refreshOut, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [clientId = '', clientSecret = '', rt = ''] = line.split(' ');
    const q = new URLSearchParams({
      client_id: clientId,
      redirect_uri: CB,
      client_secret: clientSecret,
      grant_type: 'refresh_token',
      token_type: 'mac',
      refresh_token: rt,
    });
    return { url: `${base}/oauth2/token?${q}`, clientId, clientSecret };
  });
const refreshFile = join(dir, 'refresh.json');
writeFileSync(refreshFile, JSON.stringify(refreshItems));
const refresh = await load(refreshFile);
await bench.close();

console.log(JSON.stringify({ codes, clients, connections, node: process.version, mintSeconds, exchange, refresh }, null, 2));
console.log(`
| phase | requests | errors | req/s | p50 ms | p99 ms |
|---|---|---|---|---|---|
| authorization_code exchange | ${exchange.requests} | ${exchange.errors} | ${exchange.rps} | ${exchange.p50} | ${exchange.p99} |
| refresh_token rotation | ${refresh.requests} | ${refresh.errors} | ${refresh.rps} | ${refresh.p50} | ${refresh.p99} |`);
