// Disk full on the blob directory (issue 11 drill): the data directory's blobs/ is a 4 MiB tmpfs.
// A PUT that does not fit fails with a clear FDS error (507 InsufficientStorage), leaves nothing
// visible (no object, no version, no temporary file holding the space), and the server keeps
// serving reads, and writes again once there is room. Mounting needs root: the suite runs when
// scripts/test.mjs finds it can mount a tmpfs (OPAL_TEST_MOUNT=1; OPAL_TEST_MOUNT=off turns it off).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Context } from '../../../src/context.ts';
import { createContext } from '../../../src/context.ts';
import { type RunningServer, startServer } from '../../../src/server.ts';
import { testConfig, tmpDir } from '../../helpers/env.ts';
import { md5Hex } from '../../helpers/fds-fixture.ts';
import { SdkClient } from '../../helpers/fds-sdk.ts';
import { seedFdsKey } from '../../helpers/seed.ts';

const MOUNT = process.env.OPAL_TEST_MOUNT === '1';
const SIZE = 4 * 1024 * 1024;

describe('FDS with a full blob directory', { skip: MOUNT ? false : 'needs OPAL_TEST_MOUNT=1 (root, tmpfs mounts)' }, () => {
  const dir = tmpDir('opal-disk-full-');
  const blobs = join(dir.path, 'blobs');
  let ctx: Context;
  let server: RunningServer;
  let fds: SdkClient;
  const kept = randomBytes(100_000);
  const free = () => {
    const s = statfsSync(blobs);
    return s.bavail * s.bsize;
  };
  /** Files under blobs/tmp (a failed upload must not leave one holding the space). */
  const tmpFiles = () => readdirSync(join(blobs, 'tmp'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());

  before(async () => {
    mkdirSync(blobs, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=0700`, 'tmpfs', blobs]);
    const config = testConfig(dir.path);
    ctx = await createContext(config);
    server = await startServer(config, { ctx, logger: false });
    fds = new SdkClient(server.urls.fds ?? '', await seedFdsKey(ctx, 'disk-dev'));
    await fds.ok('PUT', '/full-bucket');
    await fds.ok('PUT', '/full-bucket/kept', { body: kept });
  });
  after(async () => {
    await server?.close();
    await ctx?.close();
    execFileSync('umount', [blobs]);
    dir.remove();
  });

  it('a PUT that does not fit: 507 with a clear message, nothing visible, the space given back', async () => {
    const before = free();
    const r = await fds.send('PUT', '/full-bucket/too-big', { body: randomBytes(SIZE + 1024 * 1024) });
    const text = await r.text();
    assert.equal(r.status, 507, text);
    assert.match(text, /InsufficientStorage|no space/i);
    assert.equal((await fds.send('HEAD', '/full-bucket/too-big')).status, 404);
    const listing = await fds.json<{ objects: Array<{ name: string }> }>('GET', '/full-bucket?prefix=');
    assert.deepEqual(
      listing.objects.map((o) => o.name),
      ['kept'],
    );
    assert.deepEqual(tmpFiles(), []);
    assert.ok(free() >= before - 64 * 1024, `free space given back: ${free()} of ${before}`);
  });

  it('a streamed (chunked) PUT that runs out of space mid-body fails alike', async () => {
    async function* chunks() {
      for (let i = 0; i < 80; i++) yield randomBytes(64 * 1024);
    }
    const r = await fds.send('PUT', '/full-bucket/streamed', { body: chunks() });
    assert.equal(r.status, 507, await r.text());
    assert.equal((await fds.send('HEAD', '/full-bucket/streamed')).status, 404);
    assert.deepEqual(tmpFiles(), []);
  });

  it('reads keep working, and writes that fit succeed again', async () => {
    const got = await fds.send('GET', '/full-bucket/kept');
    assert.equal(got.status, 200);
    assert.equal(md5Hex(Buffer.from(await got.arrayBuffer())), md5Hex(kept));
    // Over SMALL_BLOB_MAX (64 KiB): a file in the blob directory that was full, not a database row.
    const small = randomBytes(100_000);
    await fds.ok('PUT', '/full-bucket/small', { body: small });
    const back = await fds.send('GET', '/full-bucket/small');
    assert.equal(md5Hex(Buffer.from(await back.arrayBuffer())), md5Hex(small));
  });
});
