// The API description served by Opal itself: GET /openapi.json on each origin (docs/openapi.json
// cut down to the operations that origin serves, its `servers` set to the origin's public URL) and,
// on the account origin, a human page at /docs (Redoc's standalone bundle from the `redoc` npm
// package, served from this origin; its CSP allows this origin only, no CDN, no inline script),
// started by our own script and stylesheet (web/templates/api-docs.{js,css}: a theme with enough
// contrast, names for Redoc's selects).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import OPENAPI from '../../docs/openapi.json' with { type: 'json' };
import type { Config } from '../config.ts';
import { readAsset } from '../web/assets.ts';
import type { SiteName } from './site-server.ts';

type Json = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The default port of each documented server (docs/openapi.json) → the site listening there. */
const SITE_OF_PORT: Record<string, SiteName> = { '8080': 'account', '8081': 'fds' };

/** The page's policy: scripts, styles, images, fonts, the spec fetch and Redoc's search worker from this origin only. */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sitesOf(servers: unknown): SiteName[] {
  return ((servers as Json[] | undefined) ?? []).flatMap((s) => {
    const site = SITE_OF_PORT[new URL(String(s.url)).port];
    return site ? [site] : [];
  });
}

/** docs/openapi.json with only the operations `site` serves, and `publicUrl` as its one server. */
export function describeOrigin(site: SiteName, publicUrl: string, doc: Json = OPENAPI as unknown as Json): Json {
  const paths: Record<string, Json> = {};
  const used = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const kept: Json = {};
    for (const [key, value] of Object.entries(item)) {
      if (key === 'servers') continue;
      if (!HTTP_METHODS.includes(key)) {
        kept[key] = value;
        continue;
      }
      const op = value as Json;
      if (!sitesOf(op.servers ?? item.servers ?? doc.servers).includes(site)) continue;
      const { servers: _servers, ...rest } = op;
      kept[key] = rest;
      for (const tag of (op.tags as string[] | undefined) ?? []) used.add(tag);
    }
    if (HTTP_METHODS.some((m) => m in kept)) paths[path] = kept;
  }
  const origin = (doc.servers as Json[]).find((s) => sitesOf([s])[0] === site);
  return {
    ...doc,
    servers: [{ url: publicUrl, description: origin?.description ?? site }],
    tags: (doc.tags as Json[]).filter((t) => used.has(String(t.name))),
    paths,
  };
}

const REDOC = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
/** The one resource the bundle loads from elsewhere: the sidebar's "API docs by Redocly" logo. */
const REDOC_CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
/** An empty image in its place (the link text stays), so that nothing is fetched from a CDN. */
const NO_LOGO = 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E';

/** Redoc's standalone bundle with its CDN logo replaced (fails loudly if the bundle changed). */
function redocBundle(): Buffer {
  const js = readFileSync(REDOC, 'utf8');
  if (!js.includes(REDOC_CDN_LOGO)) throw new Error(`${REDOC}: the CDN logo URL moved; check what the bundle loads`);
  return Buffer.from(js.replace(REDOC_CDN_LOGO, NO_LOGO));
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Opal API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/api-docs.css">
</head>
<body>
<main>
<noscript><p>This page needs JavaScript to show the API description. The description itself: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></noscript>
<div id="redoc" data-spec-url="/openapi.json"></div>
</main>
<script src="/docs/redoc.standalone.js"></script>
<script src="/docs/api-docs.js"></script>
</body>
</html>
`;

export function apiDocsRoutes(app: FastifyInstance, site: SiteName, config: Config): void {
  let body: string | undefined;
  app.get('/openapi.json', async (_req, reply) => {
    body ??= JSON.stringify(describeOrigin(site, site === 'account' ? config.publicUrl : config.fdsPublicUrl));
    reply.header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*');
    return reply.type('application/json; charset=utf-8').send(body);
  });
  if (site !== 'account') return;
  app.get('/docs', async (_req, reply) => {
    reply.header('content-security-policy', DOCS_CSP).header('cache-control', 'public, max-age=300');
    return reply.type('text/html; charset=utf-8').send(PAGE);
  });
  let script: Buffer | undefined;
  app.get('/docs/redoc.standalone.js', async (_req, reply) => {
    script ??= redocBundle();
    reply.header('cache-control', 'public, max-age=86400');
    return reply.type('text/javascript; charset=utf-8').send(script);
  });
  for (const [name, type] of [
    ['api-docs.js', 'text/javascript; charset=utf-8'],
    ['api-docs.css', 'text/css; charset=utf-8'],
  ] as const) {
    const body = readAsset(name);
    app.get(`/docs/${name}`, async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return reply.type(type).send(body);
    });
  }
}
