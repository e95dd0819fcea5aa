// Data files are private to the Opal user (issue 11, finding 5): whatever the umask, the data
// directory and the directories in it are created 0700, the database (and its -wal/-shm) and every
// blob 0600; a directory left open to others is reported at start, and refused with
// --strict-permissions / OPAL_STRICT_PERMISSIONS.
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { SMALL_BLOB_MAX } from '../../src/store/blobs/small-blob-store.ts';
import { loosePermissions } from '../../src/store/data-dir.ts';
import { testConfig, tmpDir } from '../helpers/env.ts';
import { opal } from '../helpers/opal-cli.ts';

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('data directory permissions', () => {
  const tmp = tmpDir();
  const dataDir = join(tmp.path, 'data');
  let umask: number;
  before(() => {
    umask = process.umask(0o022); // the usual umask, under which files were 0644
  });
  after(() => {
    process.umask(umask);
    tmp.remove();
  });

  it('creates the directory 0700 and the database, its WAL files and blobs 0600', async () => {
    const server = await startServer(testConfig(dataDir), { logger: false });
    try {
      await server.ctx.services.users.create({ account: 'perm-user', password: 'correct horse battery' });
      // Larger than SMALL_BLOB_MAX: a file (smaller blobs are rows of the database, 0600 above).
      await server.ctx.blobs.put('permissionsblob01', Readable.from([Buffer.alloc(SMALL_BLOB_MAX + 1, 's')]));
      assert.equal(modeOf(dataDir), 0o700);
      const files = readdirSync(dataDir).filter((n) => n.startsWith('opal.db'));
      assert.ok(files.includes('opal.db-wal'), files.join());
      for (const f of files) assert.equal(modeOf(join(dataDir, f)), 0o600, f);
      const blobDir = join(dataDir, 'blobs', 'pe', 'rm');
      assert.equal(modeOf(join(dataDir, 'blobs')), 0o700);
      assert.equal(modeOf(join(dataDir, 'blobs', 'tmp')), 0o700);
      assert.equal(modeOf(join(dataDir, 'blobs', 'pe')), 0o700);
      assert.equal(modeOf(blobDir), 0o700);
      assert.equal(modeOf(join(blobDir, 'permissionsblob01')), 0o600);
      assert.deepEqual(loosePermissions(dataDir), []);
    } finally {
      await server.close();
    }
  });

  it('reports a directory open to others; strict mode refuses to start', async () => {
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'opal.db'), 0o644);
    assert.deepEqual(
      loosePermissions(dataDir).map((p) => [p.path, p.mode]),
      [
        [dataDir, 0o755],
        [join(dataDir, 'opal.db'), 0o644],
      ],
    );
    await assert.rejects(startServer(testConfig(dataDir, { OPAL_STRICT_PERMISSIONS: 'true' }), { logger: false }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /data is 0755/);
      return true;
    });
    // Without it Opal starts, and says so in its log.
    const lines: string[] = [];
    const server = await startServer(testConfig(dataDir), {
      logger: { level: 'warn', stream: { write: (l: string) => lines.push(l) } },
    });
    await server.close();
    assert.ok(
      lines.some((l) => l.includes('opal.db is 0644') && l.includes('"level":40')),
      lines.join('\n'),
    );
  });

  it('opal serve --strict-permissions exits with code 2 naming the path', async () => {
    const r = await opal(['serve', '--strict-permissions', '--port', '0', '--fds-port', '0'], {
      OPAL_DATA_DIR: dataDir,
      OPAL_LOG_LEVEL: 'silent',
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /opal\.db is 0644/);
  });
});
