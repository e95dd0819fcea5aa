// SIGKILL of `opal serve` (embedded default: SQLite and filesystem blobs) while OAuth code
// exchanges and FDS PUTs run concurrently: after a restart on the same data directory every token
// the server acknowledged answers a MAC-signed /user/profile and refreshes, and every object it
// acknowledged reads back byte for byte.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import type { ClientConfig } from '../../src/cli/fds-client/config.ts';
import { FdsHttp } from '../../src/cli/fds-client/http.ts';
import { createBucket, getObject, putObject } from '../../src/cli/fds-client/operations.ts';
import { createContext } from '../../src/context.ts';
import { testConfig, tmpDir } from '../helpers/env.ts';
import { type OpalProcess, spawnOpal, waitForOk } from '../helpers/opal-cli.ts';
import { canon, hmacB64, javaEnc, javaNonce, rawCall } from '../helpers/open-api.ts';

const CODES = 300;
const CB = 'https://app.example.com/cb';
const BUCKET = 'crash-durability';
const dir = tmpDir('opal-crash-durability-');
let server: OpalProcess | undefined;

after(async () => {
  server?.kill();
  await server?.exited;
  dir.remove();
});

async function start(): Promise<{ account: string; fds: string }> {
  // Port 0: the server binds free ports itself and reports them in its `listening` event.
  server = spawnOpal(['serve', '--json'], {
    OPAL_DATA_DIR: dir.path,
    OPAL_PORT: '0',
    OPAL_FDS_PORT: '0',
    OPAL_DEMO: 'false',
    OPAL_LOG_LEVEL: 'warn',
  });
  const line = await server.waitFor(/"event":"listening"/, 30_000, 'stdout');
  const urls = (JSON.parse(line.line) as { urls: { account: string; fds: string } }).urls;
  await Promise.all([waitForOk(`${urls.account}/healthz`, 30_000), waitForOk(`${urls.fds}/healthz`, 30_000)]);
  return urls;
}

interface Token {
  access_token: string;
  mac_key: string;
  refresh_token: string;
}

function parseToken(body: string): Token {
  assert.ok(body.startsWith('&&&START&&&'), body.slice(0, 200));
  return JSON.parse(body.slice('&&&START&&&'.length)) as Token;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

test('SIGKILL during code exchanges and PUTs loses no acknowledged token or object', { timeout: 240_000 }, async (tt) => {
  const t0 = Date.now();
  const phase = (name: string) => tt.diagnostic(`${name} at ${Date.now() - t0} ms`);
  // Seed through the library on the same data directory, then let the server take it over.
  const ctx = await createContext(testConfig(dir.path));
  const user = await ctx.services.users.create({ account: 'crash', password: 'crash-password-1' });
  const { app, clientSecret } = await ctx.services.apps.create({ name: 'Crash app', redirectUris: CB, scopes: [1, 3] });
  const key = await ctx.services.fdsKeys.ensure(app.clientId);
  const codes = await Promise.all(
    Array.from({ length: CODES }, () =>
      ctx.services.oauth.issueCode({ clientId: app.clientId, userId: user.userId, scopes: [1, 3], redirectUri: CB }),
    ),
  );
  await ctx.close();

  phase('seeded');
  let urls = await start();
  phase('started');
  const fdsConf = (url: string): ClientConfig => ({ endpoint: url, accessKeyId: key.accessKeyId, secret: key.accessSecret });
  let fds = new FdsHttp(fdsConf(urls.fds));
  await createBucket(fds, BUCKET);

  const tokens: Token[] = [];
  const objects = new Map<string, string>();
  let failures = 0;
  let stop = false;
  let inFlight = 0;
  const tracked = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    inFlight++;
    try {
      return await f();
    } catch (e) {
      if (!stop) throw e;
      failures++;
      return undefined;
    } finally {
      inFlight--;
    }
  };

  const queue = [...codes];
  const exchangers = Array.from({ length: 24 }, async () => {
    for (let code = queue.shift(); code && !stop; code = queue.shift()) {
      const q = new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: CB,
        client_secret: clientSecret,
        grant_type: 'authorization_code',
        code,
        token_type: 'mac',
      });
      const body = await tracked(async () => {
        const r = await fetch(`${urls.account}/oauth2/token?${q}`);
        const text = await r.text();
        assert.equal(r.status, 200, text);
        return text;
      });
      // An answer that arrives after `stop` was set is acknowledged all the same.
      if (body !== undefined) tokens.push(parseToken(body));
    }
  });
  let seq = 0;
  const putters = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const name = `obj/${String(seq++).padStart(5, '0')}`;
      const body = randomBytes(4096 + ((seq * 7919) % 60_000));
      const r = await tracked(() => putObject(fds, BUCKET, name, { body, md5: md5(body) }));
      if (r) objects.set(name, md5(body));
    }
  });

  // Kill once enough of both kinds are acknowledged, while more are in flight.
  const deadline = Date.now() + 60_000;
  // (or once the codes run low: the last ones are then still in flight).
  while ((tokens.length < 100 || objects.size < 20 || inFlight < 8) && Date.now() < deadline && queue.length > 30) {
    await new Promise((r) => setTimeout(r, 2));
  }
  const atKill = { tokens: tokens.length, objects: objects.size, inFlight };
  phase('kill');
  stop = true;
  server?.kill();
  await server?.exited;
  await Promise.all([...exchangers, ...putters]);
  fds.close();
  assert.ok(atKill.tokens >= 50 && atKill.objects >= 5, `acknowledged before the kill: ${JSON.stringify(atKill)}`);
  assert.ok(atKill.inFlight > 0 && failures > 0, `requests were cut off by the kill: ${JSON.stringify({ ...atKill, failures })}`);

  urls = await start();
  phase('restarted');
  fds = new FdsHttp(fdsConf(urls.fds));
  try {
    for (const t of tokens) {
      const nonce = javaNonce();
      const query = `clientId=${javaEnc(app.clientId)}&token=${javaEnc(t.access_token)}`;
      const mac = hmacB64(t.mac_key, canon(nonce, 'GET', '127.0.0.1', '/user/profile', query));
      const auth = `MAC access_token="${javaEnc(t.access_token)}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
      const r = await rawCall(urls.account, `/user/profile?${query}`, { headers: { authorization: auth } });
      assert.equal(r.json.code, 0, `acknowledged token answers /user/profile: ${r.text}`);
      const q = new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: CB,
        client_secret: clientSecret,
        grant_type: 'refresh_token',
        refresh_token: t.refresh_token,
        token_type: 'mac',
      });
      const refreshed = await fetch(`${urls.account}/oauth2/token?${q}`);
      const text = await refreshed.text();
      assert.equal(refreshed.status, 200, `acknowledged refresh token refreshes: ${text}`);
      assert.ok(parseToken(text).access_token);
    }
    for (const [name, sum] of objects) {
      const res = await getObject(fds, BUCKET, name);
      const chunks: Buffer[] = [];
      for await (const c of res.body as AsyncIterable<Buffer>) chunks.push(c);
      assert.equal(md5(Buffer.concat(chunks)), sum, `acknowledged ${name} intact`);
    }
  } finally {
    fds.close();
  }
  phase('verified');
  process.stderr.write(
    `# crash-durability: at SIGKILL ${atKill.tokens} tokens and ${atKill.objects} objects acknowledged, ${atKill.inFlight} requests in flight; ${tokens.length} tokens and ${objects.size} objects verified after restart; ${failures} requests cut off\n`,
  );
});
