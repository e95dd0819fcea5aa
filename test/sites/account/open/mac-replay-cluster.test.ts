// A nonce spent on one node is refused on another: two real server processes on one PostgreSQL
// schema and one Redis. Skipped unless OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL are set.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Context, createContext } from '../../../../src/context.ts';
import { PG_URL, REDIS_URL, testConfig, tmpDir } from '../../../helpers/env.ts';
import { canon, hmacB64, javaEnc, javaNonce, type Minted, mint, rawCall, type Seeded, seed } from '../../../helpers/open-api.ts';

const skip = PG_URL && REDIS_URL ? false : 'set OPAL_TEST_DATABASE_URL and OPAL_TEST_REDIS_URL';
const SCRIPT = fileURLToPath(new URL('../../../open/fixtures/server-process.ts', import.meta.url));

async function startNode(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process not ready: ${out}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code}): ${out}`));
    });
  });
  return { url, child };
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('nonce replay across server processes', { skip }, () => {
  const dir = tmpDir();
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  let ctx: Context;
  let nodes: Array<{ url: string; child: ChildProcess }> = [];
  let s: Seeded;
  let tok: Minted;
  const env = () => ({
    OPAL_DATABASE_URL: PG_URL ?? '',
    OPAL_REDIS_URL: REDIS_URL ?? '',
    OPAL_TEST_PG_SCHEMA: schema,
    OPAL_DATA_DIR: dir.path,
    OPAL_PORT: '0',
    OPAL_SITES: 'account',
    OPAL_LOG_LEVEL: 'silent',
    OPAL_DEMO: 'false',
  });

  before(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    const e = env();
    ctx = await createContext(testConfig(dir.path, { OPAL_DATABASE_URL: e.OPAL_DATABASE_URL, OPAL_REDIS_URL: e.OPAL_REDIS_URL }), {
      pgSchema: schema,
    });
    s = await seed(ctx);
    tok = await mint(ctx, s.clientId, s.userId, [1]);
    nodes = await Promise.all([startNode(e), startNode(e)]);
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => stopNode(n.child)));
    await ctx?.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
    dir.remove();
  });

  it('the second node refuses a nonce the first one accepted', async () => {
    const [a, b] = nodes;
    assert.ok(a && b && a.url !== b.url);
    const q = `clientId=${s.clientId}&token=${tok.accessToken}`;
    const nonce = javaNonce();
    const mac = hmacB64(tok.macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
    const auth = `MAC access_token="${tok.accessToken}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
    const first = await rawCall(a.url, `/user/profile?${q}`, { headers: { authorization: auth } });
    assert.equal(first.json.code, 0, first.text);
    const replay = await rawCall(b.url, `/user/profile?${q}`, { headers: { authorization: auth } });
    assert.equal(replay.status, 401);
    assert.equal(replay.json.code, 96012);
    // A fresh nonce still works on the second node (it shares the token store too).
    const n2 = javaNonce();
    const mac2 = hmacB64(tok.macKey, canon(n2, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
    const ok = await rawCall(b.url, `/user/profile?${q}`, {
      headers: { authorization: `MAC access_token="${tok.accessToken}", nonce="${javaEnc(n2)}",mac="${javaEnc(mac2)}"` },
    });
    assert.equal(ok.json.code, 0, ok.text);
  });
});
