// Object listing through real HTTP (fds-protocol §5.9, §8.4): prefixes, delimiters, markers,
// pages capped at 1000 with the cap reported as maxKeys, the /trash listing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ListObjectsResult } from '../../../src/core/fds/listing.ts';
import { dbBackends } from '../../helpers/env.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';

/** A listing as the wire carries it (the page shape of core/fds/listing.ts). */
type Listing = ListObjectsResult<{
  name: string;
  size: number;
  owner: { id: string };
  uploadTime: number;
  lastModified: string;
  metadataBean?: { rawMeta: Record<string, string> };
}>;

async function putAll(f: FdsFixture, bucket: string, names: string[], concurrency = 16): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < names.length) {
        const n = names[i++] as string;
        await f.owner.ok('PUT', `/${bucket}/${n}`, { body: n });
      }
    }),
  );
}

for (const backend of dbBackends()) {
  describe(`FDS listing (${backend})`, () => {
    let f: FdsFixture;
    before(async () => {
      // Over a thousand uploads: keep this file's data directory on tmpfs when there is one (each
      // upload fsyncs its blob and two SQLite commits; durability is not what this file tests).
      if (existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';
      f = await startFds({ backend, buckets: ['lst', 'lst-empty', 'lst-many', 'lst-trash'] });
      await putAll(f, 'lst', [
        'bar/bash',
        'bar/bang',
        'bar/bang/bang',
        'bar/baz',
        'bee',
        'boo',
        'bang/bang',
        'foo-bee',
        'foo-boo',
        'foo-bang-x',
        'foo-bar-y',
      ]);
    });
    after(() => f.close());

    it('Java testListObjWithPrefixOfRoot: objects [bee, boo, foo-…], prefixes [bang/, bar/]', async () => {
      const r = await f.owner.json<Listing>('GET', '/lst?prefix=&delimiter=%2F&reverse=false&isBackup=false');
      assert.deepEqual(
        r.objects.map((o) => o.name),
        ['bee', 'boo', 'foo-bang-x', 'foo-bar-y', 'foo-bee', 'foo-boo'],
      );
      assert.deepEqual(r.commonPrefixes, ['bang/', 'bar/']);
      assert.equal(r.truncated, false);
      assert.equal(r.nextMarker, null);
      for (const k of [
        'name',
        'objects',
        'prefix',
        'delimiter',
        'nextMarker',
        'maxKeys',
        'truncated',
        'commonPrefixes',
        'marker',
        'reverse',
        'withMetaData',
      ]) {
        assert.ok(k in r, k);
      }
      assert.equal(typeof r.maxKeys, 'number');
      const o = r.objects[0];
      assert.equal(o?.owner.id, f.ownerKey.developerId);
      assert.match(o?.lastModified ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(typeof o?.uploadTime, 'number');
      assert.equal(o?.metadataBean, undefined);
    });

    it('Java testListObjWithPrefAndDeli: prefix foo-, delimiter - ', async () => {
      const r = await f.owner.json<Listing>('GET', '/lst?prefix=foo-&delimiter=-');
      assert.deepEqual(
        r.objects.map((o) => o.name),
        ['foo-bee', 'foo-boo'],
      );
      assert.deepEqual(r.commonPrefixes, ['foo-bang-', 'foo-bar-']);
    });

    it('Java testListObjWithPrefNoDeli: prefix fo, empty delimiter lists flat', async () => {
      const r = await f.owner.json<Listing>('GET', '/lst?prefix=fo&delimiter=');
      assert.deepEqual(
        r.objects.map((o) => o.name),
        ['foo-bang-x', 'foo-bar-y', 'foo-bee', 'foo-boo'],
      );
      assert.deepEqual(r.commonPrefixes, []);
    });

    it('nested prefix, withMetaData, and the string "null" (Java next page)', async () => {
      const r = await f.owner.json<Listing>('GET', '/lst?prefix=bar%2F&delimiter=%2F&withMetaData=');
      assert.deepEqual(
        r.objects.map((o) => o.name),
        ['bar/bang', 'bar/bash', 'bar/baz'],
      );
      assert.deepEqual(r.commonPrefixes, ['bar/bang/']);
      assert.equal(r.withMetaData, true);
      assert.equal(r.objects[0]?.metadataBean?.rawMeta['content-type'], 'application/octet-stream');
      const n = await f.owner.json<Listing>('GET', '/lst?prefix=bar%2F&delimiter=%2F&withMetaData=null&reverse=false');
      assert.equal(n.objects[0]?.metadataBean, undefined);
    });

    it('pages by maxKeys; objects and prefixes count together; markers are inclusive <b>/<name>', async () => {
      const seen: string[] = [];
      let marker = '';
      for (let page = 0; page < 10; page++) {
        const r = await f.owner.json<Listing>(
          'GET',
          `/lst?prefix=&delimiter=%2F&maxKeys=3${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`,
        );
        assert.equal(r.maxKeys, 1000);
        const entries = [...r.objects.map((o) => o.name), ...r.commonPrefixes];
        assert.ok(entries.length <= 3);
        seen.push(...entries);
        if (!r.truncated) break;
        assert.match(r.nextMarker ?? '', /^lst\//);
        marker = r.nextMarker ?? '';
      }
      assert.deepEqual(seen.sort(), ['bang/', 'bar/', 'bee', 'boo', 'foo-bang-x', 'foo-bar-y', 'foo-bee', 'foo-boo'].sort());
      // A marker without the bucket prefix works too.
      const r = await f.owner.json<Listing>('GET', '/lst?prefix=&delimiter=&marker=foo-bee');
      assert.deepEqual(
        r.objects.map((o) => o.name),
        ['foo-bee', 'foo-boo'],
      );
    });

    it('empty bucket lists empty arrays; missing bucket 404; another developer 403', async () => {
      const r = await f.owner.json<Listing>('GET', '/lst-empty?prefix=&delimiter=%2F');
      assert.deepEqual(r.objects, []);
      assert.deepEqual(r.commonPrefixes, []);
      assert.equal((await f.owner.send('GET', '/nope?prefix=')).status, 404);
      const denied = await f.other.send('GET', '/lst?prefix=');
      assert.equal(denied.status, 403);
      assert.match(await denied.text(), /Bucket Access Denied/);
    });

    it('sorts by code point on every backend (UTF-8 names, case, punctuation)', async () => {
      const names = ['Zeta', 'alpha', 'a-b', 'a/b', 'a_b', 'é', '中文', 'z'];
      await putAll(
        f,
        'lst-empty',
        names.map((n) => encodeURIComponent(n)),
      );
      const r = await f.owner.json<Listing>('GET', '/lst-empty?prefix=&delimiter=');
      const expected = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(
        r.objects.map((o) => o.name),
        expected,
      );
      const page = await f.owner.json<Listing>('GET', '/lst-empty?prefix=&delimiter=&maxKeys=3');
      const next = await f.owner.json<Listing>(
        `GET`,
        `/lst-empty?prefix=&delimiter=&maxKeys=3&marker=${encodeURIComponent(page.nextMarker ?? '')}`,
      );
      assert.deepEqual(
        [...page.objects, ...next.objects].map((o) => o.name),
        expected.slice(0, 6),
      );
      await f.owner.ok('PUT', '/lst-empty?deleteObjects', { body: JSON.stringify(names) });
    });

    if (backend !== 'sqlite') return;

    it('PY test_list_multi_objects: 1100 objects, pages of ≤1000, deleting while iterating', async () => {
      const names = Array.from({ length: 1100 }, (_, i) => `multi/obj-${String(i).padStart(5, '0')}`);
      await putAll(f, 'lst-many', names);
      let r = await f.owner.json<Listing>('GET', '/lst-many?prefix=multi%2F&delimiter=%2F');
      let total = 0;
      let pages = 0;
      for (;;) {
        pages++;
        total += r.objects.length;
        assert.ok(r.objects.length <= 1000);
        // Delete the page before asking for the next one.
        await f.owner.ok('PUT', '/lst-many?deleteObjects=true', { body: JSON.stringify(r.objects.map((o) => o.name)) });
        if (!r.truncated) break;
        const q = new URLSearchParams({ prefix: r.prefix, delimiter: r.delimiter, marker: r.nextMarker ?? '', maxKeys: String(r.maxKeys) });
        r = await f.owner.json<Listing>('GET', `/lst-many?${q.toString()}`);
      }
      assert.equal(total, 1100);
      assert.equal(pages, 2);
      const left = await f.owner.json<Listing>('GET', '/lst-many?prefix=&delimiter=');
      assert.deepEqual(left.objects, []);
    });

    it('PY test_list_trash: 150 deleted objects, a page of 50, then the remaining 100 with the reported maxKeys', async () => {
      const names = Array.from({ length: 150 }, (_, i) => `trash-obj-${i}`);
      await putAll(f, 'lst-trash', names);
      await f.owner.ok('PUT', '/lst-trash?deleteObjects=true', { body: JSON.stringify(names) });
      const first = await f.owner.json<Listing>('GET', '/trash?prefix=lst-trash%2Ftrash-obj-&delimiter=&maxKeys=50');
      assert.equal(first.name, 'trash');
      assert.equal(first.objects.length, 50);
      assert.ok(first.objects.every((o) => o.name.startsWith('lst-trash/trash-obj-')));
      assert.equal(first.truncated, true);
      const q = new URLSearchParams({
        prefix: first.prefix,
        delimiter: first.delimiter,
        marker: first.nextMarker ?? '',
        maxKeys: String(first.maxKeys),
      });
      const second = await f.owner.json<Listing>('GET', `/trash?${q.toString()}`);
      assert.equal(second.objects.length, 100);
      assert.equal(second.truncated, false);
      // The trash is the bucket owner's: another developer sees none of it.
      const theirs = await f.other.json<Listing>('GET', '/trash?prefix=lst-trash%2F&delimiter=');
      assert.deepEqual(theirs.objects, []);
    });
  });
}
