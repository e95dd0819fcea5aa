// What the bucket browser's routes share: the route parameters, the caller's own bucket and the key
// the console acts with (another developer's bucket: the console's 404 page; no access key yet:
// a page saying how to create one), the page frame, form posts (CSRF, 303 back with the FDS
// refusal shown), form parsing of grants and expiries.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import { ALL_USERS, AUTHENTICATED_USERS, type GrantType, PERMISSIONS, type PermissionName } from '../../../core/fds/acl.ts';
import { optionalString } from '../../../http/schemas.ts';
import { NotFoundError } from '../../../lib/errors.ts';
import type { BucketBrowser, Grantee } from '../../../services/fds/bucket-browser.ts';
import type { FdsKey } from '../../../services/fds/keys.ts';
import { FdsCallError } from '../../../services/fds/signed-fetch.ts';
import type { Bucket } from '../../../store/db/fds/repos.ts';
import { PageError } from '../../../web/error-page.ts';
import { translator } from '../../../web/i18n.ts';
import { renderPage } from '../../../web/render.ts';
import { developerOf, notYours } from './developer-guard.ts';
import { back } from './forms.ts';

export const BucketParams = Type.Object({ bucket: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' }) });
/** The outcome of the last form (after its 303) and the page's own parameters. */
export const BucketQuery = Type.Object({
  prefix: optionalString('folder shown (an object-name prefix ending in /)'),
  marker: optionalString('FDS listing marker of the page'),
  name: optionalString('object name'),
  expires: optionalString('presigned link lifetime in seconds'),
  error: optionalString(),
  done: optionalString(),
  _locale: optionalString(),
});

/** Lifetimes offered by the expiry picker, in seconds. */
export const EXPIRY_CHOICES = [900, 3600, 86_400, 604_800] as const;

export interface BucketCall {
  key: FdsKey;
  bucket: Bucket;
}

/** The caller's own bucket and the key to act with. */
export async function ownBucket(browser: BucketBrowser, req: FastifyRequest, name: string): Promise<BucketCall> {
  const devId = developerOf(req).developer.id;
  let bucket: Bucket;
  try {
    bucket = await browser.own(devId, name);
  } catch (e) {
    if (e instanceof NotFoundError) throw notYours();
    throw e;
  }
  const key = await browser.keyFor(devId);
  if (!key) throw new PageError(0, { messageKey: 'buckets.noKey', status: 409 });
  return { key, bucket };
}

/** Renders a bucket-browser page with its CSRF token. */
export async function bucketPage(
  ctx: Context,
  req: FastifyRequest,
  reply: FastifyReply,
  template: string,
  title: string,
  data: Record<string, unknown>,
): Promise<FastifyReply> {
  const { web } = ctx.services;
  const locale = web.locale(req);
  const q = (req.query ?? {}) as { error?: string; done?: string };
  return renderPage(
    reply,
    template,
    {
      ...data,
      fdsError: q.error ? q.error.slice(0, 300) : undefined,
      done: q.done && /^[a-zA-Z]{1,20}$/.test(q.done) ? q.done : undefined,
      csrf: await web.csrf.issue(req, reply),
    },
    locale,
    { title: title || translator(locale)('buckets.title'), wide: true },
  );
}

/** Runs an FDS change for a form; its refusal comes back to `path` as `error` (the FDS message). */
export async function act(
  reply: FastifyReply,
  path: string,
  params: Record<string, string>,
  work: () => Promise<string>,
): Promise<FastifyReply> {
  try {
    const done = await work();
    return back(reply, path, { ...params, done });
  } catch (e) {
    if (e instanceof FdsCallError) return back(reply, path, { ...params, error: e.message || String(e.status) });
    throw e;
  }
}

const PERMISSION_NAMES = Object.keys(PERMISSIONS) as PermissionName[];
const USER_ID_RE = /^[A-Za-z0-9._@-]{1,128}$/;

/** The grant of an ACL form (`grantee`: ALL_USERS, AUTHENTICATED_USERS or `user`; `userId`; `permission`), or undefined. */
export function grantOf(body: Record<string, string>): Grantee | undefined {
  const permission = body.permission as PermissionName;
  if (!PERMISSION_NAMES.includes(permission)) return undefined;
  if (body.grantee === ALL_USERS || body.grantee === AUTHENTICATED_USERS) return { id: body.grantee, type: 'GROUP', permission };
  const id = (body.userId ?? '').trim();
  const type: GrantType = body.type === 'GROUP' ? 'GROUP' : 'USER';
  return body.grantee === 'user' && USER_ID_RE.test(id) ? { id, type, permission } : undefined;
}

export const PERMISSION_CHOICES = PERMISSION_NAMES;

/** The chosen presigned-link lifetime (ms): one of EXPIRY_CHOICES, default one hour. */
export function expiryOf(raw: string | undefined): number {
  const s = Number(raw);
  return (EXPIRY_CHOICES as readonly number[]).includes(s) ? s * 1000 : 3_600_000;
}

/** Folder crumbs of a prefix: `a/b/` → [{ name: 'a', prefix: 'a/' }, { name: 'b', prefix: 'a/b/' }]. */
export function crumbsOf(prefix: string): Array<{ name: string; prefix: string }> {
  const out: Array<{ name: string; prefix: string }> = [];
  let at = 0;
  for (let i = prefix.indexOf('/'); i >= 0; i = prefix.indexOf('/', i + 1)) {
    out.push({ name: prefix.slice(at, i), prefix: prefix.slice(0, i + 1) });
    at = i + 1;
  }
  return out;
}

export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
