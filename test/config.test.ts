import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_MAC_HOSTS, ENV_NAMES, isEmbedded, loadConfig } from '../src/config.ts';
import { tmpDir } from './helpers/env.ts';
import { opal } from './helpers/opal-cli.ts';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('has a working embedded default for every value', () => {
    const c = loadConfig({});
    assert.equal(c.dataDir, resolve('./data'));
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.fdsPort, 8081);
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.redisUrl, undefined);
    assert.equal(c.blobUrl, undefined);
    assert.equal(c.publicUrl, 'http://127.0.0.1:8080');
    assert.equal(c.fdsPublicUrl, 'http://127.0.0.1:8081');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.demo, true);
    assert.equal(c.serverSecret, undefined);
    assert.equal(c.lifetimeProfile, 'legacy');
    assert.deepEqual(c.macHosts, DEFAULT_MAC_HOSTS);
    assert.equal(c.openApiErrorStatus, 'mapped');
    assert.equal(c.tokenPrefix, 'always');
    assert.equal(c.skipConfirmDefault, false);
    assert.equal(c.macNonceWindowMinutes, 15);
    assert.equal(c.fdsClockSkewMs, 900_000);
    assert.equal(c.passbookHost, undefined);
    assert.deepEqual(c.sites, ['account', 'fds']);
    assert.equal(c.shutdownGraceMs, 10_000);
    assert.equal(c.trustProxy, 'loopback');
    assert.equal(isEmbedded(c), true);
  });

  it('takes every value from the environment', () => {
    const c = loadConfig({
      OPAL_DATA_DIR: '/srv/opal',
      OPAL_HOST: '0.0.0.0',
      OPAL_PORT: '9000',
      OPAL_FDS_PORT: '9001',
      OPAL_DATABASE_URL: 'postgres://u@db/opal',
      OPAL_REDIS_URL: 'redis://cache:6379',
      OPAL_BLOB_URL: 's3://bucket?endpoint=http://minio:9000',
      OPAL_LOG_LEVEL: 'warn',
      OPAL_DEMO: 'off',
      OPAL_SERVER_SECRET: 'x'.repeat(32),
      OPAL_LIFETIME_PROFILE: 'hyperos',
      OPAL_MAC_HOSTS: 'A.example, b.example',
      OPAL_OPEN_API_ERROR_STATUS: '200',
      OPAL_TOKEN_PREFIX: 'get-only',
      OPAL_SKIP_CONFIRM_DEFAULT: 'yes',
      OPAL_MAC_NONCE_WINDOW_MINUTES: '5',
      OPAL_FDS_CLOCK_SKEW_MS: '0',
      OPAL_PASSBOOK_HOST: 'Pass.Example',
      OPAL_SITES: 'fds',
      OPAL_SHUTDOWN_GRACE_MS: '500',
    });
    assert.equal(c.dataDir, '/srv/opal');
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 9000);
    assert.equal(c.fdsPort, 9001);
    // A wildcard listen address is shown as loopback in the derived public URLs.
    assert.equal(c.publicUrl, 'http://127.0.0.1:9000');
    assert.equal(c.fdsPublicUrl, 'http://127.0.0.1:9001');
    assert.equal(c.databaseUrl, 'postgres://u@db/opal');
    assert.equal(c.redisUrl, 'redis://cache:6379');
    assert.equal(c.blobUrl, 's3://bucket?endpoint=http://minio:9000');
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.demo, false);
    assert.equal(c.serverSecret, 'x'.repeat(32));
    assert.equal(c.lifetimeProfile, 'hyperos');
    assert.deepEqual(c.macHosts, ['a.example', 'b.example']);
    assert.equal(c.openApiErrorStatus, '200');
    assert.equal(c.tokenPrefix, 'get-only');
    assert.equal(c.skipConfirmDefault, true);
    assert.equal(c.macNonceWindowMinutes, 5);
    assert.equal(c.fdsClockSkewMs, 0);
    assert.equal(c.passbookHost, 'pass.example');
    assert.deepEqual(c.sites, ['fds']);
    assert.equal(c.shutdownGraceMs, 500);
    assert.equal(isEmbedded(c), false);
  });

  it('maps every environment name to a config key', () => {
    const keys = Object.keys(loadConfig({}));
    for (const [env, key] of Object.entries(ENV_NAMES)) {
      assert.match(env, /^OPAL_[A-Z_]+$/);
      assert.ok(keys.includes(key), `${env} → ${key}`);
    }
  });

  it('reads a JSON file named by OPAL_CONFIG; the environment wins over it', () => {
    const dir = tmpDir();
    try {
      const file = join(dir.path, 'opal.json');
      writeFileSync(
        file,
        JSON.stringify({ port: 7000, fdsPort: 7001, macHosts: ['x.example', 'y.example'], demo: false, publicUrl: 'https://id.example/' }),
      );
      const c = loadConfig({ OPAL_CONFIG: file, OPAL_FDS_PORT: '7101' });
      assert.equal(c.port, 7000);
      assert.equal(c.fdsPort, 7101);
      assert.deepEqual(c.macHosts, ['x.example', 'y.example']);
      assert.equal(c.demo, false);
      assert.equal(c.publicUrl, 'https://id.example');
    } finally {
      dir.remove();
    }
  });

  it('reports an unreadable or non-object config file', () => {
    const dir = tmpDir();
    try {
      assert.match(problemsOf({ OPAL_CONFIG: join(dir.path, 'missing.json') })[0] ?? '', /^OPAL_CONFIG: cannot read/);
      const file = join(dir.path, 'list.json');
      writeFileSync(file, '[1,2]');
      assert.deepEqual(problemsOf({ OPAL_CONFIG: file }), [`OPAL_CONFIG: ${file} must hold a JSON object`]);
    } finally {
      dir.remove();
    }
  });

  it('lists every problem at once, named by its environment variable', () => {
    const problems = problemsOf({
      OPAL_PORT: 'abc',
      OPAL_FDS_PORT: '70000',
      OPAL_DATABASE_URL: 'mysql://x',
      OPAL_REDIS_URL: 'not a url',
      OPAL_BLOB_URL: 'http://bucket',
      OPAL_LOG_LEVEL: 'loud',
      OPAL_DEMO: 'maybe',
      OPAL_SERVER_SECRET: 'short',
      OPAL_LIFETIME_PROFILE: 'forever',
      OPAL_SITES: 'account,web',
      OPAL_MAC_NONCE_WINDOW_MINUTES: '0',
    });
    const names = problems.map((p) => p.slice(0, p.indexOf(':')));
    assert.deepEqual(names.sort(), [
      'OPAL_BLOB_URL',
      'OPAL_DATABASE_URL',
      'OPAL_DEMO',
      'OPAL_FDS_PORT',
      'OPAL_LIFETIME_PROFILE',
      'OPAL_LOG_LEVEL',
      'OPAL_MAC_NONCE_WINDOW_MINUTES',
      'OPAL_PORT',
      'OPAL_REDIS_URL',
      'OPAL_SERVER_SECRET',
      'OPAL_SITES',
    ]);
    assert.ok(problems.includes('OPAL_PORT: expected an integer from 0 to 65535, got "abc"'));
    assert.ok(problems.includes('OPAL_DATABASE_URL: expected a postgres: or postgresql: URL'));
    const err = new ConfigError(problems);
    for (const p of problems) assert.ok(err.message.includes(p));
  });

  it('reads OPAL_TRUST_PROXY as a boolean or a list of addresses', () => {
    assert.equal(loadConfig({}).trustProxy, 'loopback');
    assert.equal(loadConfig({ OPAL_TRUST_PROXY: 'TRUE' }).trustProxy, true);
    assert.equal(loadConfig({ OPAL_TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ OPAL_TRUST_PROXY: ' 10.0.0.0/8, loopback ,fd00::/8' }).trustProxy, '10.0.0.0/8,loopback,fd00::/8');
    // (No hop counts: Fastify cannot check the immediate peer with them and trusts nobody.)
    assert.deepEqual(problemsOf({ OPAL_TRUST_PROXY: '10.0.0.0/33,lan,1.2.3.4/8/9,2' }), [
      'OPAL_TRUST_PROXY: "10.0.0.0/33" is not an address, a CIDR range, loopback, linklocal or uniquelocal',
      'OPAL_TRUST_PROXY: "lan" is not an address, a CIDR range, loopback, linklocal or uniquelocal',
      'OPAL_TRUST_PROXY: "1.2.3.4/8/9" is not an address, a CIDR range, loopback, linklocal or uniquelocal',
      'OPAL_TRUST_PROXY: "2" is not an address, a CIDR range, loopback, linklocal or uniquelocal',
    ]);
  });

  it('blob encryption keys: hex, base64 or base64url of 32 bytes, inline or by file; anything else is a problem', () => {
    const key = Buffer.alloc(32, 7);
    const dir = tmpDir('opal-config-key-');
    try {
      const file = join(dir.path, 'blob.key');
      writeFileSync(file, `${key.toString('hex')}\n`);
      for (const env of [
        { OPAL_BLOB_ENCRYPTION_KEY: key.toString('hex') },
        { OPAL_BLOB_ENCRYPTION_KEY: key.toString('base64') },
        { OPAL_BLOB_ENCRYPTION_KEY: key.toString('base64url') },
        { OPAL_BLOB_ENCRYPTION_KEY_FILE: file, OPAL_BLOB_ENCRYPTION_OLD_KEY: Buffer.alloc(32, 8).toString('hex') },
      ]) {
        assert.doesNotThrow(() => loadConfig(env), JSON.stringify(env));
      }
      assert.deepEqual(problemsOf({ OPAL_BLOB_ENCRYPTION_KEY: 'abcd' }), [
        'OPAL_BLOB_ENCRYPTION_KEY: expected 32 bytes as 64 hex digits or base64',
      ]);
      assert.deepEqual(problemsOf({ OPAL_BLOB_ENCRYPTION_KEY: Buffer.alloc(31).toString('base64') }), [
        'OPAL_BLOB_ENCRYPTION_KEY: expected 32 bytes as 64 hex digits or base64',
      ]);
      assert.deepEqual(problemsOf({ OPAL_BLOB_ENCRYPTION_KEY: key.toString('hex'), OPAL_BLOB_ENCRYPTION_KEY_FILE: file }), [
        'OPAL_BLOB_ENCRYPTION_KEY and OPAL_BLOB_ENCRYPTION_KEY_FILE: set one, not both',
      ]);
      assert.deepEqual(problemsOf({ OPAL_BLOB_ENCRYPTION_OLD_KEY: key.toString('hex') }), [
        'OPAL_BLOB_ENCRYPTION_OLD_KEY needs OPAL_BLOB_ENCRYPTION_KEY (the key rotated to)',
      ]);
      assert.match(
        problemsOf({ OPAL_BLOB_ENCRYPTION_KEY_FILE: join(dir.path, 'absent') })[0] ?? '',
        /^OPAL_BLOB_ENCRYPTION_KEY_FILE: cannot read/,
      );
    } finally {
      dir.remove();
    }
  });

  it('rejects an empty site list', () => {
    assert.deepEqual(problemsOf({ OPAL_SITES: ',' }), ['OPAL_SITES: at least one site is required']);
  });

  it('every variable is documented in the README table and in docs/configuration.md', () => {
    const readme = readFileSync('README.md', 'utf8');
    const doc = readFileSync('docs/configuration.md', 'utf8');
    for (const [env, key] of Object.entries(ENV_NAMES)) {
      assert.match(readme, new RegExp(`^\\| \`${env}\` \\|`, 'm'), `README.md lacks ${env}`);
      assert.match(doc, new RegExp(`^\\| \`${env}\` \\| \`${key}\` \\|$`, 'm'), `docs/configuration.md lacks ${env}`);
    }
  });

  it('`opal serve` with invalid configuration prints every problem and exits 2', async () => {
    const r = await opal(['serve'], { OPAL_PORT: 'abc', OPAL_DATABASE_URL: 'mysql://x' }, { timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid configuration/);
    assert.match(r.stderr, /OPAL_PORT: expected an integer from 0 to 65535, got "abc"/);
    assert.match(r.stderr, /OPAL_DATABASE_URL: expected a postgres: or postgresql: URL/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
