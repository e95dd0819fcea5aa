// compose.yaml (README "Container image"), checked without starting a container: parsed with the
// `yaml` package, it has two Opal nodes built from the Dockerfile, PostgreSQL, Redis and an
// S3-compatible store with healthchecks, nodes that wait for them, and an environment that
// loadConfig accepts once compose's ${VAR:-default} / ${VAR:?message} substitution is applied, whose
// database, Redis and S3 addresses and credentials are those of the services beside it. Where
// `docker compose` (or `docker-compose`) is installed, its own `config` check runs too (no daemon
// needed); otherwise that test is skipped, saying why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.ts';
import { ENV_NAMES } from '../../src/config-env-names.ts';

type Json = Record<string, unknown>;
interface Service {
  build?: string;
  image?: string;
  command?: string | string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = `${ROOT}compose.yaml`;
const compose = parse(readFileSync(FILE, 'utf8')) as { services: Record<string, Service>; volumes?: Json };
const services = compose.services;
const SECRET = 'c'.repeat(64);

/** compose's variable substitution: ${V}, ${V:-default}, ${V-default}, ${V:?message}, and $$ for $. */
function substitute(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g,
    (all, name: string | undefined, colon: string, op: string, arg: string) => {
      if (all === '$$') return '$';
      const v = env[name ?? ''];
      const unset = v === undefined || (colon === ':' && v === '');
      if (!unset) return v;
      if (op === '?') throw new Error(`${name}: ${arg}`);
      return op === '-' ? arg : '';
    },
  );
}

/** The environment one service gets, substituted with `env` as the operator's shell. */
const envOf = (service: Service | undefined, env: Record<string, string>) =>
  Object.fromEntries(Object.entries(service?.environment ?? {}).map(([k, v]) => [k, substitute(String(v), env)]));

/** The compose command available here, or why there is none. */
function composeTool(): { argv: string[] } | { why: string } {
  for (const argv of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(argv[0] ?? '', [...argv.slice(1), 'version'], { encoding: 'utf8' });
    if (r.status === 0) return { argv };
  }
  return { why: 'neither `docker compose` nor `docker-compose` is installed here; compose.yaml is checked by parsing it instead' };
}
const tool = composeTool();

describe('compose.yaml', () => {
  const nodes = ['opal-1', 'opal-2'].map((n) => services[n]);

  test('two Opal nodes from this Dockerfile, PostgreSQL, Redis and an S3 store with healthchecks', () => {
    for (const name of ['opal-1', 'opal-2', 'postgres', 'redis', 'minio', 'minio-bucket', 'balancer-account', 'balancer-fds'])
      assert.ok(services[name], name);
    for (const node of nodes) {
      assert.equal(node?.build, '.');
      assert.equal(node?.image, 'opal:local');
    }
    assert.match(services.postgres?.image ?? '', /^postgres:/);
    assert.match(services.redis?.image ?? '', /^redis:/);
    assert.match(services.minio?.image ?? '', /^minio\/minio/);
    for (const name of ['postgres', 'redis', 'minio']) {
      const check = services[name]?.healthcheck?.test ?? [];
      assert.equal(check[0], 'CMD', `${name} has an exec-form healthcheck`);
      assert.ok(check.length > 1, name);
    }
    // The nodes start once the stores answer and the bucket exists.
    for (const node of nodes)
      assert.deepEqual(node?.depends_on, {
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        'minio-bucket': { condition: 'service_completed_successfully' },
      });
    // Named volumes are declared.
    for (const s of Object.values(services))
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (!source.startsWith('/') && !source.startsWith('.')) assert.ok(compose.volumes && source in compose.volumes, source);
      }
  });

  test('each node: variables Opal knows, a configuration loadConfig accepts, pointing at the services beside it', () => {
    const shell = { OPAL_SERVER_SECRET: SECRET };
    for (const node of nodes) {
      const names = Object.keys(node?.environment ?? {});
      for (const name of names) assert.ok(name in ENV_NAMES, `${name} is not an Opal variable (src/config-env-names.ts)`);
      for (const name of [
        'OPAL_DATABASE_URL',
        'OPAL_REDIS_URL',
        'OPAL_BLOB_URL',
        'OPAL_SERVER_SECRET',
        'OPAL_PUBLIC_URL',
        'OPAL_FDS_PUBLIC_URL',
      ])
        assert.ok(names.includes(name), name);
      const config = loadConfig(envOf(node, shell));
      assert.equal(config.serverSecret, SECRET);

      const pg = envOf(services.postgres, shell);
      const db = new URL(config.databaseUrl ?? '');
      assert.equal(db.protocol, 'postgres:');
      assert.equal(db.host, 'postgres:5432');
      assert.deepEqual([db.username, db.password, db.pathname], [pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, `/${pg.POSTGRES_DB}`]);

      assert.equal(config.redisUrl, 'redis://redis:6379');

      const minio = envOf(services.minio, shell);
      const blobs = new URL(config.blobUrl ?? '');
      assert.equal(blobs.protocol, 's3:');
      assert.deepEqual([blobs.username, blobs.password], [minio.MINIO_ROOT_USER, minio.MINIO_ROOT_PASSWORD]);
      assert.equal(new URL(blobs.searchParams.get('endpoint') ?? '').host, 'minio:9000');
      // The bucket Opal writes to is the one minio-bucket makes.
      assert.match(
        (services['minio-bucket']?.entrypoint ?? []).join(' '),
        new RegExp(`mc mb --ignore-existing local/${blobs.hostname}\\b`),
      );
    }
    // Without OPAL_SERVER_SECRET compose refuses to start, with a message saying how to make one.
    assert.throws(() => envOf(nodes[0], {}), /OPAL_SERVER_SECRET: set OPAL_SERVER_SECRET/);
    // The operator's own passwords reach both the stores and the nodes.
    const own = { ...shell, POSTGRES_PASSWORD: 'pgpass1', MINIO_ROOT_PASSWORD: 'miniopass1' };
    const config = loadConfig(envOf(nodes[0], own));
    assert.equal(new URL(config.databaseUrl ?? '').password, envOf(services.postgres, own).POSTGRES_PASSWORD);
    assert.equal(new URL(config.blobUrl ?? '').password, envOf(services.minio, own).MINIO_ROOT_PASSWORD);
  });

  test('one balancer per origin on the default ports, in front of both nodes', () => {
    const defaults = loadConfig({});
    for (const [name, port] of [
      ['balancer-account', defaults.port],
      ['balancer-fds', defaults.fdsPort],
    ] as const) {
      const b = services[name];
      assert.deepEqual(b?.ports, [`${port}:${port}`], name);
      const command = String(b?.command);
      for (const node of ['opal-1', 'opal-2']) assert.ok(command.includes(`--to ${node}:${port}`), `${name} → ${node}`);
    }
  });

  test('`docker compose config` accepts it', { skip: 'why' in tool ? tool.why : false }, () => {
    if (!('argv' in tool)) return;
    const [cmd, ...args] = tool.argv;
    const r = spawnSync(cmd ?? '', [...args, '-f', FILE, 'config', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, OPAL_SERVER_SECRET: SECRET },
    });
    assert.equal(r.status, 0, r.stderr);
  });
});
