// docs/openapi.json must describe exactly the routes the code registers: every (origin, method,
// path) a site serves is documented with the right origin in `servers`, and every documented
// operation is served. Routes are collected with buildSite's onRoute hook (the built-in /healthz,
// /readyz and /metrics included); the HEAD routes Fastify adds by itself for GET are ignored.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import type { SiteName } from '../../src/http/site-server.ts';
import { buildSite } from '../../src/server.ts';
import { createTestContext, type TestContext } from '../helpers/env.ts';

type Json = Record<string, unknown>;
const DOC = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as Json;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SITES: SiteName[] = ['account', 'fds'];
/** Default ports of the documented servers → the site listening there (src/config.ts). */
const SITE_OF_PORT: Record<string, SiteName> = { '8080': 'account', '8081': 'fds' };

const paths = DOC.paths as Record<string, Json>;

/** Fastify `/a/:id` and OpenAPI `/a/{id}` both become `/a/{id}`; `/*` stays as it is. */
function normalise(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operations(): Array<{ path: string; method: string; op: Json; item: Json }> {
  const out = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as Json | undefined;
      if (op) out.push({ path, method, op, item });
    }
  }
  return out;
}

function sitesOf(servers: unknown): SiteName[] {
  assert.ok(Array.isArray(servers) && servers.length > 0, 'servers missing');
  return (servers as Json[]).map((s) => {
    const site = SITE_OF_PORT[new URL(String(s.url)).port];
    assert.ok(site, `server ${String(s.url)} is neither the account nor the FDS origin`);
    return site;
  });
}

/** `site METHOD path` of every documented operation, on each origin its `servers` name. */
function documented(): Set<string> {
  const out = new Set<string>();
  for (const { path, method, op, item } of operations()) {
    const route = normalise(typeof item['x-opal-route'] === 'string' ? item['x-opal-route'] : path);
    for (const site of sitesOf(op.servers ?? item.servers ?? DOC.servers)) out.add(`${site} ${method.toUpperCase()} ${route}`);
  }
  return out;
}

/** `site METHOD path` of every route a site registers, without Fastify's automatic HEAD routes. */
async function served(t: TestContext): Promise<Set<string>> {
  const out = new Set<string>();
  for (const site of SITES) {
    const routes: Array<{ methods: string[]; lone: boolean; url: string; exposeHead: boolean }> = [];
    const app = await buildSite(site, t.ctx, {
      logger: false,
      onRoute: (r: RouteOptions) => {
        const methods = (Array.isArray(r.method) ? r.method : [r.method]).map((m) => String(m).toUpperCase());
        routes.push({ methods, lone: !Array.isArray(r.method), url: r.url, exposeHead: r.exposeHeadRoute !== false });
      },
    });
    await app.close();
    for (const r of routes) {
      // Fastify registers a lone HEAD route after each GET route unless told otherwise.
      const automatic =
        r.lone && r.methods[0] === 'HEAD' && routes.some((g) => g.url === r.url && g.exposeHead && g.methods.includes('GET'));
      if (automatic) continue;
      for (const m of r.methods) out.add(`${site} ${m} ${normalise(r.url)}`);
    }
  }
  return out;
}

describe('docs/openapi.json', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(async () => {
    await t.close();
  });

  test('is OpenAPI 3.1 with both origins as servers and the declared tags', () => {
    assert.equal(DOC.openapi, '3.1.0');
    const info = DOC.info as Json;
    assert.ok(typeof info.title === 'string' && typeof info.version === 'string');
    assert.deepEqual(sitesOf(DOC.servers).sort(), ['account', 'fds']);
    const tags = (DOC.tags as Json[]).map((x) => x.name);
    for (const name of ['account', 'open-api', 'passbook', 'fds']) assert.ok(tags.includes(name), `tag ${name}`);
  });

  test('every operation has a summary, a declared tag and at least one response', () => {
    const tags = new Set((DOC.tags as Json[]).map((x) => x.name));
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(typeof op.summary === 'string' && op.summary.trim() !== '', `${where}: summary`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${where}: responses`);
      assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${where}: tags`);
      for (const tag of op.tags as string[]) assert.ok(tags.has(tag), `${where}: undeclared tag ${tag}`);
    }
  });

  test('every $ref resolves and every path template parameter is declared', () => {
    const resolve = (ref: string): unknown => {
      assert.ok(ref.startsWith('#/'), `external $ref ${ref}`);
      let node: unknown = DOC;
      for (const part of ref.slice(2).split('/')) node = (node as Json | undefined)?.[part];
      assert.ok(node !== undefined, `$ref ${ref} does not resolve`);
      return node;
    };
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') resolve(v);
          else walk(v);
        }
      }
    };
    walk(DOC);
    const deref = (p: Json): Json => (typeof p.$ref === 'string' ? (resolve(p.$ref) as Json) : p);
    for (const { path, method, op, item } of operations()) {
      const params = [...((item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])].map(deref);
      const declared = params.filter((p) => p.in === 'path').map((p) => p.name);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      assert.deepEqual(declared.sort(), templated.sort(), `${method.toUpperCase()} ${path}: path parameters`);
      for (const p of params) {
        assert.ok(p.name && p.in && (p.schema || p.content), `${method.toUpperCase()} ${path}: parameter ${String(p.name)}`);
        if (p.in === 'path')
          assert.equal(p.required, true, `${method.toUpperCase()} ${path}: path parameter ${String(p.name)} must be required`);
      }
    }
  });

  test('documents exactly the routes each origin serves', async () => {
    const code = await served(t);
    // The collection itself must see routes of every kind, or the comparison below proves nothing.
    for (const known of [
      'account GET /healthz',
      'account POST /oauth2/token',
      'account DELETE /api/account/grants/{clientId}',
      'fds PUT /*',
      'fds HEAD /*',
    ]) {
      assert.ok(code.has(known), `route collection misses ${known}`);
    }
    assert.ok(!code.has('account HEAD /healthz'), 'automatic HEAD routes must be ignored');
    const docs = documented();
    const undocumented = [...code].filter((r) => !docs.has(r)).sort();
    const unserved = [...docs].filter((r) => !code.has(r)).sort();
    assert.deepEqual(
      { undocumented, unserved },
      { undocumented: [], unserved: [] },
      'undocumented: served but not in docs/openapi.json; unserved: documented but not served',
    );
  });

  test('the FDS path templates reach the FDS route (CORS preflight answers on each shape)', async () => {
    const app = await buildSite('fds', t.ctx, { logger: false });
    try {
      for (const url of ['/', '/bucket', '/bucket/', '/bucket/dir/object.txt']) {
        const r = await app.inject({ method: 'OPTIONS', url });
        assert.equal(r.statusCode, 200, url);
        assert.ok(r.headers['x-xiaomi-request-id'], `${url}: FDS request id`);
      }
    } finally {
      await app.close();
    }
  });
});
