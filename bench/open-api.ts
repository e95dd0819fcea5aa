// /user/profile requests per second without and with a MAC header, beside a plain Fastify
// hello-world (and the account origin's /healthz, its per-request overhead) measured in the same
// run on the same machine. Servers run in this process, the load
// generator (bench/open-api-load.mjs) in a second one. Embedded stores (SQLite, memory cache).
//
// Targets are measured in interleaved rounds (hello, profile, profile+MAC, hello, …) and the
// median of the rounds is reported, so that a noisy neighbour hurts every target alike.
//
//   node --import tsx bench/open-api.ts [seconds=5] [connections=32] [rounds=3]
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { type LoadResult as Result, runLoad, startBenchServer } from './lib/bench-server.ts';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 32);
const rounds = Number(process.argv[4] ?? 3);
const LOAD = fileURLToPath(new URL('./open-api-load.mjs', import.meta.url));

function load(url: string, mac?: { key: string; token: string; host: string }): Promise<Result> {
  return runLoad<Result>(LOAD, { url, seconds, connections, mac });
}

const hello = Fastify({ logger: false });
hello.get('/', async () => ({ hello: 'world' }));
await hello.listen({ host: '127.0.0.1', port: 0 });
const helloUrl = `http://127.0.0.1:${(hello.server.address() as { port: number }).port}/`;

const bench = await startBenchServer({ OPAL_SITES: 'account' });
const { server, ctx } = bench;
const { app } = await ctx.services.apps.create({ name: 'Bench', redirectUris: 'https://bench.example/cb', scopes: [1] });
const user = await ctx.services.users.create({ account: 'bench', password: 'bench-password' });
const code = await ctx.services.oauth.issueCode({
  clientId: app.clientId,
  userId: user.userId,
  scopes: [1],
  redirectUri: 'https://bench.example/cb',
});
const tok = await ctx.services.oauth.redeemCode({ clientId: app.clientId, code });
const profileUrl = `${server.urls.account}/user/profile?clientId=${app.clientId}&token=${tok.accessToken}`;

// Warm-up, then interleaved rounds; the median round per target is reported.
await load(helloUrl);
await load(profileUrl);
const mac = { key: tok.macKey ?? '', token: tok.accessToken, host: 'open.account.xiaomi.com' };
const healthUrl = `${server.urls.account}/healthz`;
const all: Record<'helloWorld' | 'healthz' | 'profile' | 'profileMac', Result[]> = {
  helloWorld: [],
  healthz: [],
  profile: [],
  profileMac: [],
};
for (let i = 0; i < rounds; i++) {
  all.helloWorld.push(await load(helloUrl));
  all.healthz.push(await load(healthUrl));
  all.profile.push(await load(profileUrl));
  all.profileMac.push(await load(profileUrl, mac));
}
const median = (rs: Result[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)] as Result;
const results = {
  helloWorld: median(all.helloWorld),
  healthz: median(all.healthz),
  profile: median(all.profile),
  profileMac: median(all.profileMac),
};
await bench.close();
await hello.close();

const ratio = (r: Result) => (r.rps / results.helloWorld.rps).toFixed(2);
console.log(
  JSON.stringify(
    {
      seconds,
      connections,
      rounds,
      node: process.version,
      rounds_rps: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.map((r) => r.rps)])),
    },
    null,
    2,
  ),
);
console.log(`
| target | req/s | errors | vs hello-world |
|---|---|---|---|
| Fastify hello-world (\`GET /\`) | ${results.helloWorld.rps} | ${results.helloWorld.errors} | 1.00 |
| Opal account origin \`/healthz\` (site overhead: helmet, metrics, request ids) | ${results.healthz.rps} | ${results.healthz.errors} | ${ratio(results.healthz)} |
| \`/user/profile\` without MAC | ${results.profile.rps} | ${results.profile.errors} | ${ratio(results.profile)} |
| \`/user/profile\` with MAC header | ${results.profileMac.rps} | ${results.profileMac.errors} | ${ratio(results.profileMac)} |`);
