// A process killed with SIGKILL in the middle of an upload leaves no visible partial blob, and
// every blob it acknowledged before the kill reads back intact.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { tmpDir } from '../helpers/env.ts';

/** Every blob file visible under the store root (outside tmp/). */
function visibleBlobs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (!(dir === root && name === 'tmp')) walk(p);
      } else out.push(name);
    }
  };
  walk(root);
  return out.sort();
}

/** Temporary files (full paths) under the store's tmp/ directory, at any depth. */
function tmpFiles(root: string): string[] {
  return readdirSync(join(root, 'tmp'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name));
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // renamed into place meanwhile
  }
}

describe('blob durability under SIGKILL', () => {
  it('shows no partial blob and keeps every acknowledged blob intact', async () => {
    const dir = tmpDir('opal-crash-');
    const root = join(dir.path, 'blobs');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/blob-writer.ts', root], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const begun = new Map<string, { md5: string; size: number }>();
    const acked = new Map<string, { md5: string; size: number }>();
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buffered += d;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const [kind, key, md5, size] = buffered.slice(0, nl).split(' ');
        buffered = buffered.slice(nl + 1);
        if (key && md5 && size) (kind === 'ACK' ? acked : begun).set(key, { md5, size: Number(size) });
        nl = buffered.indexOf('\n');
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
    try {
      // Let a few uploads complete, then kill while a temporary file is being written.
      const deadline = Date.now() + 30_000;
      let partialAtKill: { name: string; size: number } | undefined;
      while (Date.now() < deadline) {
        if (acked.size >= 4) {
          const path = tmpFiles(root)[0];
          const name = path ? basename(path) : undefined;
          const total = name ? begun.get(name.slice(0, name.lastIndexOf('.')))?.size : undefined;
          // Kill in the first half of an upload: the rest takes several more writes and pauses.
          const size = path && total ? sizeOf(path) : 0;
          if (name && total && size > 0 && size < total / 2) {
            child.kill('SIGKILL');
            partialAtKill = { name, size };
            break;
          }
        }
        await sleep(3);
      }
      assert.ok(partialAtKill, `the writer was killed mid-upload (acks: ${acked.size})`);
      assert.equal(await exited, 'SIGKILL');

      // The interrupted upload left a temporary file that was never acknowledged.
      const interruptedKey = partialAtKill.name.slice(0, partialAtKill.name.lastIndexOf('.'));
      assert.ok(begun.has(interruptedKey));
      assert.ok(!acked.has(interruptedKey));
      assert.ok(partialAtKill.size < (begun.get(interruptedKey)?.size ?? 0), 'killed before the upload completed');
      assert.ok(tmpFiles(root).length >= 1);

      // Reopening the store clears temporary files; nothing partial is visible.
      const store = await FsBlobStore.open(root);
      assert.deepEqual(tmpFiles(root), []);
      assert.equal(await store.size(interruptedKey), undefined);
      const visible = visibleBlobs(root);
      for (const key of visible) {
        const expected = begun.get(key);
        assert.ok(expected, `visible blob ${key} was begun by the writer`);
        const h = createHash('md5');
        let size = 0;
        for await (const c of await store.get(key)) {
          h.update(c as Buffer);
          size += (c as Buffer).length;
        }
        assert.deepEqual({ md5: h.digest('hex'), size }, expected, `visible blob ${key} is complete`);
      }
      // Every acknowledged blob is visible and intact (checked above).
      for (const [key, ack] of acked) {
        assert.ok(visible.includes(key), `acknowledged blob ${key} is visible`);
        assert.deepEqual(ack, begun.get(key));
      }
      assert.ok(acked.size >= 4);
    } finally {
      child.kill('SIGKILL');
      dir.remove();
    }
  });
});
