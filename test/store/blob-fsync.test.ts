// Blob durability observed at the system-call level: a put fsyncs the blob's data before renaming
// it into place, and fsyncs the directory that received the name after the rename (and the
// directories it created) before it resolves, so that an acknowledged blob survives a power cut, which a SIGKILL
// test cannot show; the same with encryption at rest on. The fixture (test/fixtures/blob-put.ts) runs under `strace -f -y`; without
// /usr/bin/strace the test is skipped with that reason.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { tmpDir } from '../helpers/env.ts';
import { cleanEnv } from '../helpers/opal-cli.ts';

const STRACE = '/usr/bin/strace';
const FIXTURE = join(import.meta.dirname, '../fixtures/blob-put.ts');

interface Call {
  name: string;
  /** The path of an fd argument (strace -y) or the first path argument. */
  path: string;
  /** For rename: the new name. */
  to?: string;
  args: string;
  result: string;
  /** Line index where the call began and where it returned. */
  began: number;
  ended: number;
}

/** The calls of an `strace -f -y` log, with <unfinished …> / <… resumed> pairs joined per thread. */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  const pending = new Map<string, { name: string; args: string; began: number }>();
  const finish = (name: string, args: string, result: string, began: number, ended: number) => {
    const fd = /^\d+<([^>]*)>/.exec(args);
    const paths = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
    calls.push({ name, path: fd?.[1] ?? paths[0] ?? '', ...(paths[1] ? { to: paths[1] } : {}), args, result, began, ended });
  };
  for (const [i, line] of text.split('\n').entries()) {
    let m = /^(\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$/.exec(line);
    if (m) {
      pending.set(m[1] ?? '', { name: m[2] ?? '', args: m[3] ?? '', began: i });
      continue;
    }
    m = /^(\d+)\s+<\.\.\. (\w+) resumed>(.*)\)\s+= (.*)$/.exec(line);
    if (m) {
      const p = pending.get(m[1] ?? '');
      pending.delete(m[1] ?? '');
      if (p) finish(p.name, p.args + (m[3] ?? ''), m[4] ?? '', p.began, i);
      continue;
    }
    m = /^(\d+)\s+(\w+)\((.*)\)\s+= (.*)$/.exec(line);
    if (m) finish(m[2] ?? '', m[3] ?? '', m[4] ?? '', i, i);
  }
  return calls;
}

// Mutation testing (Stryker's TAP runner) runs a file for a mutant only when the file's own process
// reached the mutated code, and the puts under test run in a child process: one put here, in this
// process, makes the store's put path count as reached by this file (it checks nothing itself).
before(async () => {
  const dir = tmpDir('opal-fsync-inproc-');
  const store = await FsBlobStore.open(dir.path);
  await store.put('in-process', Readable.from([Buffer.from('x')]));
  await store.close();
  dir.remove();
});

for (const mode of ['plain', 'encrypted'] as const)
  test(`a blob put (${mode}) fsyncs its data before the rename and its directory after`, {
    skip: !existsSync(STRACE) && `${STRACE} not found`,
  }, async () => {
    const dir = tmpDir('opal-blob-fsync-');
    try {
      const root = join(dir.path, 'blobs');
      const log = join(dir.path, 'trace');
      const args = ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2,write', '-s', '64', '-o', log];
      const { stdout } = await promisify(execFile)(STRACE, [...args, process.execPath, '--import', 'tsx', FIXTURE, root, mode], {
        env: cleanEnv(),
        cwd: join(import.meta.dirname, '../..'),
      });
      const keys = [...stdout.matchAll(/^ACK (\S+)$/gm)].map((m) => m[1] ?? '');
      assert.equal(keys.length, 2, stdout);
      const calls = parseTrace(readFileSync(log, 'utf8'));
      const synced = (path: string) =>
        calls.some((c) => (c.name === 'fsync' || c.name === 'fdatasync') && c.result === '0' && c.path === path);
      // The first put creates root/fs/yn, the second finds it: both paths of moveIntoPlace.
      for (const key of keys) {
        const placed = calls.find((c) => c.name.startsWith('rename') && c.result === '0' && c.to?.endsWith(`/${key}`));
        assert.ok(placed?.to, `${key} was renamed into place:\n${JSON.stringify(calls, null, 1)}`);
        const dataSync = calls.find((c) => (c.name === 'fsync' || c.name === 'fdatasync') && c.result === '0' && c.path === placed.path);
        assert.ok(dataSync, `the blob's data (${placed.path}) is fsynced`);
        assert.ok(dataSync.ended < placed.began, 'the data fsync returned before the rename began');
        // Acknowledged only once the directory holding the new name is synced.
        const ack = calls.find((c) => c.name === 'write' && c.args.includes(`"ACK ${key}`));
        assert.ok(ack, `ACK ${key} written`);
        const dirSync = calls.find(
          (c) =>
            (c.name === 'fsync' || c.name === 'fdatasync') &&
            c.result === '0' &&
            c.path === dirname(placed.to ?? '') &&
            c.began > placed.ended,
        );
        assert.ok(
          dirSync && dirSync.ended < ack.began,
          `the directory of ${placed.to} is fsynced after the rename, before the put resolves`,
        );
        // The new directories root/fs and root/fs/yn: their entries are synced in their parents.
        for (let d = dirname(dirname(placed.to)); d.startsWith(root); d = dirname(d)) assert.ok(synced(d), `${d} is fsynced`);
      }
      // Opening the store syncs the root's own entry in its parent (it may have just been made).
      assert.ok(synced(dirname(root)), `${dirname(root)} is fsynced`);
    } finally {
      dir.remove();
    }
  });
