// `opal backup DIR` while a server serves and writes the embedded store, then `opal restore DIR`
// into an empty data directory and a server on the copy: the SDK-shaped flows (login + authorize +
// code exchange, a MAC-signed /user/profile with a token issued before the backup, FDS GETs of
// every object in the copy, byte for byte) work against it, and every object the copy lists is one
// the source acknowledged. Also the refusals (a non-empty target, a store already there, a broken
// backup).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { SMALL_BLOB_MAX } from '../../src/store/blobs/small-blob-store.ts';
import { tmpDir } from '../helpers/env.ts';
import { md5Hex } from '../helpers/fds-fixture.ts';
import { SdkClient } from '../helpers/fds-sdk.ts';
import { authorizeCode, fixture, Jar, parseTokenBody, REDIRECTS } from '../helpers/oauth.ts';
import { opal } from '../helpers/opal-cli.ts';
import { canon, hmacB64, javaEnc, javaNonce, rawCall } from '../helpers/open-api.ts';
import { mint, seedFdsKey } from '../helpers/seed.ts';

const BUCKET = 'backup-bucket';

async function macProfile(base: string, clientId: string, token: string, macKey: string) {
  const nonce = javaNonce();
  const q = `clientId=${clientId}&token=${javaEnc(token)}`;
  const mac = hmacB64(macKey, canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', q));
  const auth = `MAC access_token="${javaEnc(token)}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
  return rawCall(base, `/user/profile?${q}`, { headers: { authorization: auth } });
}

describe('opal backup / opal restore (embedded store)', () => {
  it('backs up while serving under writes; the restored copy serves the SDK flows', async (t) => {
    const work = tmpDir('opal-backup-');
    t.after(() => work.remove());
    const f = await fixture();
    t.after(() => f.t.close());
    const key = await seedFdsKey(f.t.ctx, 'backup-dev');
    const fds = new SdkClient(f.t.fdsUrl, key);
    await fds.ok('PUT', `/${BUCKET}`);
    // name → every body md5 the source acknowledged for it.
    const acked = new Map<string, Set<string>>();
    const put = async (name: string, body: Buffer) => {
      const r = await fds.send('PUT', `/${BUCKET}/${name}`, { body });
      await r.arrayBuffer();
      if (r.status === 200) acked.set(name, (acked.get(name) ?? new Set()).add(md5Hex(body)));
      return r.status;
    };
    for (let i = 0; i < 20; i++) assert.equal(await put(`before-${i}`, randomBytes(1000 + i * 97)), 200);
    // Small blobs are rows of the database; one larger than SMALL_BLOB_MAX is a file.
    assert.equal(await put('big', randomBytes(SMALL_BLOB_MAX + 1)), 200);
    const early = await mint(f.t.ctx, f.clientId, f.userId, [1]);

    // Writes (new objects, overwrites, deletes) keep going while the backup runs.
    let stop = false;
    let writes = 0;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        await put(`live-${i % 15}`, randomBytes(500 + (i % 50) * 40));
        if (i % 4 === 3) await (await fds.send('DELETE', `/${BUCKET}/live-${(i * 7) % 15}`)).arrayBuffer();
        await f.t.ctx.services.users.update(f.userId, { nickname: `Alice ${i}` });
        writes++;
      }
    })();
    const dest = join(work.path, 'backup');
    const env = { OPAL_DATA_DIR: f.t.dataDir };
    const backup = await opal(['backup', dest, '--json'], env);
    stop = true;
    await load;
    assert.equal(backup.code, 0, backup.stderr + backup.stdout);
    assert.ok(writes > 0, 'the backup ran under writes');
    const manifest = JSON.parse(backup.stdout) as { format: string; blobs: number; dir: string };
    assert.equal(manifest.format, 'opal-backup-1');
    assert.ok(manifest.blobs >= 20, String(manifest.blobs));
    assert.ok(!readdirSync(work.path).some((n) => n.includes('partial')), 'no partial directory left');

    // Not over a non-empty directory; a restore only into a data directory without a store.
    assert.equal((await opal(['backup', dest, '--json'], env)).code, 4);
    const restoredDir = join(work.path, 'restored');
    const restore = await opal(['restore', dest, '--json'], { OPAL_DATA_DIR: restoredDir });
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.equal((await opal(['restore', dest, '--json'], { OPAL_DATA_DIR: restoredDir })).code, 4);
    assert.equal((await opal(['restore', work.path, '--json'], { OPAL_DATA_DIR: join(work.path, 'x') })).code, 2);

    // A server on the copy, the SDK-shaped flows against it.
    const server = await startServer(
      loadConfig({ OPAL_DATA_DIR: restoredDir, OPAL_PORT: '0', OPAL_FDS_PORT: '0', OPAL_LOG_LEVEL: 'silent', OPAL_DEMO: 'false' }),
      { logger: false },
    );
    t.after(() => server.close());
    const base = server.urls.account ?? '';
    const copy = { ...f, base };
    const code = await authorizeCode(copy, new Jar(base), {
      client_id: f.clientId,
      response_type: 'code',
      redirect_uri: REDIRECTS.split(';')[0] ?? '',
      scope: '1',
    });
    const exchange = await fetch(
      `${base}/oauth2/token?${new URLSearchParams({ client_id: f.clientId, client_secret: f.clientSecret, grant_type: 'authorization_code', code, token_type: 'mac' })}`,
    );
    const token = parseTokenBody(await exchange.text()) as { access_token: string; mac_key: string };
    assert.equal(typeof token.access_token, 'string');
    for (const [tok, macKey] of [
      [token.access_token, token.mac_key],
      [early.accessToken, early.macKey],
    ] as const) {
      const profile = await macProfile(base, f.clientId, tok, macKey);
      assert.equal(profile.json.code, 0, profile.text);
      assert.match(String((profile.json.data as { miliaoNick: string }).miliaoNick), /^Alice/);
    }

    const copyFds = new SdkClient(server.urls.fds ?? '', key);
    const listing = await copyFds.json<{ objects: Array<{ name: string }> }>('GET', `/${BUCKET}?maxKeys=1000`);
    const names = listing.objects.map((o) => o.name);
    for (let i = 0; i < 20; i++) assert.ok(names.includes(`before-${i}`), `before-${i}`);
    assert.ok(names.includes('big'));
    for (const name of names) {
      const r = await copyFds.send('GET', `/${BUCKET}/${name}`);
      assert.equal(r.status, 200, name);
      const got = md5Hex(Buffer.from(await r.arrayBuffer()));
      assert.ok(acked.get(name)?.has(got), `${name}: the copy holds bytes the source acknowledged`);
    }

    // A backup that lost a blob is refused before anything is written.
    const blobs = join(dest, 'blobs');
    const [a = ''] = readdirSync(blobs);
    const [b = ''] = readdirSync(join(blobs, a));
    const [victim = ''] = readdirSync(join(blobs, a, b));
    appendFileSync(join(blobs, a, b, victim), 'x');
    const broken = await opal(['restore', dest, '--json'], { OPAL_DATA_DIR: join(work.path, 'broken') });
    assert.equal(broken.code, 2);
    assert.match(JSON.parse(broken.stdout).error, /holds \d+ bytes/);
    rmSync(join(blobs, a, b, victim));
    const missing = await opal(['restore', dest, '--json'], { OPAL_DATA_DIR: join(work.path, 'broken') });
    assert.match(JSON.parse(missing.stdout).error, /is missing/);
    assert.equal(existsSync(join(work.path, 'broken')), false, 'nothing written');
    // A small blob cut short in the backup's database is refused too (rows are checked first).
    const copyDb = new SQLite(join(dest, 'opal.db'));
    const cut = copyDb
      .prepare('UPDATE fds_small_blobs SET data = substr(data, 1, 10) WHERE rowid = (SELECT min(rowid) FROM fds_small_blobs)')
      .run();
    copyDb.close();
    assert.equal(cut.changes, 1);
    const short = await opal(['restore', dest, '--json'], { OPAL_DATA_DIR: join(work.path, 'broken') });
    assert.equal(short.code, 2);
    assert.match(JSON.parse(short.stdout).error, /holds 10 bytes/);
    assert.equal(existsSync(join(work.path, 'broken')), false, 'nothing written');
  });

  it('a store encrypted at rest: the backup restores, keeps its marker, and the copy serves the plaintext with the key', async (t) => {
    const work = tmpDir('opal-backup-enc-');
    t.after(() => work.remove());
    const keyHex = randomBytes(32).toString('hex');
    const f = await fixture({ env: { OPAL_BLOB_ENCRYPTION_KEY: keyHex } });
    t.after(() => f.t.close());
    const key = await seedFdsKey(f.t.ctx, 'backup-enc-dev');
    const fds = new SdkClient(f.t.fdsUrl, key);
    await fds.ok('PUT', `/${BUCKET}`);
    // Sizes below, at and above one 64 KiB chunk.
    const bodies = new Map([5000, 65_536, 200_001].map((n) => [`enc-${n}`, randomBytes(n)] as const));
    for (const [name, body] of bodies) await fds.ok('PUT', `/${BUCKET}/${name}`, { body });
    const dest = join(work.path, 'backup');
    const backup = await opal(['backup', dest, '--json'], { OPAL_DATA_DIR: f.t.dataDir });
    assert.equal(backup.code, 0, backup.stderr + backup.stdout);
    assert.ok(existsSync(join(dest, 'blobs', 'ENCRYPTED')), 'the marker is in the backup');
    const restoredDir = join(work.path, 'restored');
    const restore = await opal(['restore', dest, '--json'], { OPAL_DATA_DIR: restoredDir });
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    const env = { OPAL_DATA_DIR: restoredDir, OPAL_PORT: '0', OPAL_FDS_PORT: '0', OPAL_LOG_LEVEL: 'silent', OPAL_DEMO: 'false' };
    // Without the key the copy refuses to start (it would serve ciphertext).
    await assert.rejects(startServer(loadConfig(env), { logger: false }), /holds encrypted blobs/);
    const server = await startServer(loadConfig({ ...env, OPAL_BLOB_ENCRYPTION_KEY: keyHex }), { logger: false });
    t.after(() => server.close());
    const copyFds = new SdkClient(server.urls.fds ?? '', key);
    for (const [name, body] of bodies) {
      const r = await copyFds.send('GET', `/${BUCKET}/${name}`);
      assert.equal(r.status, 200, name);
      assert.equal(md5Hex(Buffer.from(await r.arrayBuffer())), md5Hex(body), name);
    }
  });

  it('refuses PostgreSQL and S3 stores with a clear error', async () => {
    const r = await opal(['backup', '/nonexistent-opal-backup', '--json'], { OPAL_DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    assert.equal(r.code, 2);
    assert.match(JSON.parse(r.stdout).error, /pg_dump/);
  });
});
