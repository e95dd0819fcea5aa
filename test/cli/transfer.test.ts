// `opal export` / `opal import` across backends: a store made on SQLite is exported, imported into
// PostgreSQL (SQLite again without OPAL_TEST_DATABASE_URL) and exported again, byte for byte the
// same; then, on the imported store, the SDK-shaped code exchange (GET /oauth2/token with the same
// client secret, after signing in with the same password) and a MAC-signed /user/profile call work.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/context.ts';
import { startServer } from '../../src/server.ts';
import { newBucket } from '../../src/store/db/fds/columns.ts';
import { PG_URL, tmpDir } from '../helpers/env.ts';
import { authorize, codeOf, type Fixture, Jar, parseTokenBody } from '../helpers/oauth.ts';
import { opalBatch } from '../helpers/opal-cli.ts';
import { canon, hmacB64, javaEnc, javaNonce, rawCall } from '../helpers/open-api.ts';
import { createPgSchema } from '../helpers/pg-schema.ts';

const runner = opalBatch();
after(() => runner.close());
const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'alice-pass-1';

describe(`opal export / import: SQLite → ${PG_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('exports, imports into an empty store, exports identically; the SDK flow works on the import', async (t) => {
    const src = tmpDir('opal-export-src-');
    const dst = tmpDir('opal-export-dst-');
    const files = tmpDir('opal-export-files-');
    t.after(() => {
      for (const d of [src, dst, files]) d.remove();
    });
    const srcEnv = { OPAL_DATA_DIR: src.path };
    let dstEnv: Record<string, string> = { OPAL_DATA_DIR: dst.path };
    if (PG_URL) {
      const schema = await createPgSchema(PG_URL);
      t.after(() => schema.drop());
      dstEnv = { ...dstEnv, OPAL_DATABASE_URL: schema.url };
    }

    // The source store: a developer with an app and an FDS key and bucket, a user who granted it,
    // a friend and a pending friend request, a pass plan and a pass, an admin token.
    const ctx = await createContext(loadConfig({ ...srcEnv, OPAL_LOG_LEVEL: 'silent' }), { full: false });
    let clientId = '';
    let clientSecret = '';
    try {
      const s = ctx.services;
      const dev = await s.admin.createUser({ account: 'dev', password: 'dev-pass-1', role: 'developer' }, { actor: 'test' });
      const devRecord = await s.apps.developerOfUser(dev.userId);
      const created = await s.apps.create({ name: 'Exported', redirectUris: REDIRECT, scopes: [1, 3], developer: devRecord?.name });
      clientId = created.app.clientId;
      clientSecret = created.clientSecret;
      const key = await s.fdsKeys.ensure(clientId);
      await s.fds.repos.buckets.create(newBucket('exported-bucket', key.developerId, 1, {}));
      const alice = await s.users.create({ account: 'alice', password: PASSWORD, nickname: 'Alice', email: 'alice@example.com' });
      const bob = await s.users.create({ account: 'bob', password: 'bob-pass-1' });
      // An avatar uploaded in the account center travels with its user (every size variant).
      await s.account.avatars.upload(
        bob,
        await sharp({ create: { width: 90, height: 90, channels: 3, background: '#334155' } })
          .png()
          .toBuffer(),
      );
      await s.friends.add(alice.userId, bob.userId);
      await s.friends.request(bob.userId, 'carol');
      await s.oauth.approve(alice.userId, clientId, [1, 3]);
      const plan = await s.passbook.createPlan({ clientId, title: 'Plan' });
      await s.passbook.issue({ clientId, planId: plan.planId, user: 'alice' });
      await s.adminTokens.create(dev.userId, 'ci');
    } finally {
      await ctx.close();
    }

    const first = join(files.path, 'first.json');
    const second = join(files.path, 'second.json');
    const exp = await runner.run(['export', first, '--json'], srcEnv);
    assert.equal(exp.code, 0, exp.stderr + exp.stdout);
    assert.deepEqual(
      Object.entries(JSON.parse(exp.stdout).rows as Record<string, number>)
        .filter(([, n]) => n > 0)
        .map(([k]) => k)
        .sort(),
      [
        'admin_tokens',
        'apps',
        'developers',
        'fds_access_keys',
        'fds_buckets',
        'friend_requests',
        'friends',
        'oauth_grants',
        'pass_plans',
        'passes',
        'settings',
        'user_avatars',
        'users',
      ],
    );
    const text = readFileSync(first, 'utf8');
    assert.match(text, /"password_hash": "\$argon2id\$/);
    assert.ok(!text.includes(clientSecret), 'the client secret itself is never exported');

    const imp = await runner.run(['import', first, '--json'], dstEnv);
    assert.equal(imp.code, 0, imp.stderr + imp.stdout);
    // Not into a store that has data.
    const again = await runner.run(['import', first, '--json'], dstEnv);
    assert.equal(again.code, 2);
    assert.match(JSON.parse(again.stdout).error, /not empty/);
    const exp2 = await runner.run(['export', second], dstEnv);
    assert.equal(exp2.code, 0, exp2.stderr);
    assert.equal(readFileSync(second, 'utf8'), text);

    // The imported store serves the SDK flow with the same client secret and password.
    const server = await startServer(
      loadConfig({ ...dstEnv, OPAL_PORT: '0', OPAL_SITES: 'account', OPAL_LOG_LEVEL: 'silent', OPAL_DEMO: 'false' }),
      { logger: false },
    );
    try {
      const base = server.urls.account ?? '';
      const f = { base, account: 'alice' } as Fixture;
      const jar = new Jar(base);
      const login = await jar.fetch('/login');
      const csrf = /name="csrf" value="([^"]*)"/.exec(await login.text())?.[1] ?? '';
      const signedIn = await jar.fetch('/login', {
        method: 'POST',
        form: { csrf, return_to: '/login', account: 'alice', password: PASSWORD },
      });
      assert.equal(signedIn.headers.get('location'), '/login');
      const code = codeOf(
        await authorize(
          f,
          jar,
          new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: '1 3' }).toString(),
        ),
      );
      const q = new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
      });
      const token = parseTokenBody(await (await fetch(`${base}/oauth2/token?${q}`)).text());
      assert.equal(token.token_type, 'mac', JSON.stringify(token));
      const accessToken = String(token.access_token);
      const query = `clientId=${clientId}&token=${javaEnc(accessToken)}`;
      const nonce = javaNonce();
      const mac = hmacB64(String(token.mac_key), canon(nonce, 'GET', 'open.account.xiaomi.com', '/user/profile', query));
      const auth = `MAC access_token="${javaEnc(accessToken)}", nonce="${javaEnc(nonce)}",mac="${javaEnc(mac)}"`;
      const profile = await rawCall(base, `/user/profile?${query}`, { headers: { authorization: auth } });
      assert.equal(profile.json.code, 0, profile.text);
      assert.equal(profile.json.data?.miliaoNick, 'Alice');
    } finally {
      await server.close();
    }
  });

  it('--with-blobs carries object versions and their bytes', async (t) => {
    const src = tmpDir('opal-blobs-src-');
    const dst = tmpDir('opal-blobs-dst-');
    t.after(() => {
      for (const d of [src, dst]) d.remove();
    });
    const bytes = randomBytes(100_000);
    const md5 = createHash('md5').update(bytes).digest('hex');
    const ctx = await createContext(loadConfig({ OPAL_DATA_DIR: src.path, OPAL_LOG_LEVEL: 'silent' }));
    try {
      const b = newBucket('blob-bucket', '1', 1, {});
      await ctx.services.fds.repos.buckets.create(b);
      const blobKey = 'exportedblob0001';
      assert.equal((await ctx.blobs.put(blobKey, Readable.from(bytes))).md5, md5);
      await ctx.services.fds.repos.objects.commit({
        version_id: 'v0001',
        bucket: b.name,
        name: 'dir/file.bin',
        is_current: 1,
        size: bytes.length,
        md5,
        content_type: 'application/octet-stream',
        meta: {},
        acl: {},
        owner_id: '1',
        blob_key: blobKey,
        storage_class: null,
        created_at: 2,
        noncurrent_at: null,
      });
    } finally {
      await ctx.close();
    }
    const file = join(src.path, 'export.json');
    const blobDir = join(src.path, 'export-blobs');
    assert.equal((await runner.run(['export', file, '--with-blobs', blobDir], { OPAL_DATA_DIR: src.path })).code, 0);
    // Without the bytes, an export with objects is refused.
    assert.equal((await runner.run(['import', file], { OPAL_DATA_DIR: dst.path })).code, 2);
    const imp = await runner.run(['import', file, '--with-blobs', blobDir, '--json'], { OPAL_DATA_DIR: dst.path });
    assert.equal(imp.code, 0, imp.stdout + imp.stderr);
    assert.equal(JSON.parse(imp.stdout).rows.fds_objects, 1);
    const back = await createContext(loadConfig({ OPAL_DATA_DIR: dst.path, OPAL_LOG_LEVEL: 'silent' }));
    try {
      const v = await back.services.fds.repos.objects.current('blob-bucket', 'dir/file.bin');
      assert.equal(v?.md5, md5);
      const chunks: Buffer[] = [];
      for await (const c of await back.blobs.get(v?.blob_key ?? '')) chunks.push(c as Buffer);
      assert.ok(Buffer.concat(chunks).equals(bytes));
    } finally {
      await back.close();
    }
  });

  it('refuses a file that is not an export', async (t) => {
    const dir = tmpDir('opal-import-bad-');
    t.after(() => dir.remove());
    const file = join(dir.path, 'x.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"format":"other"}'));
    const r = await runner.run(['import', file, '--json'], { OPAL_DATA_DIR: dir.path });
    assert.equal(r.code, 2);
    assert.match(JSON.parse(r.stdout).error, /not an Opal export/);
  });
});
