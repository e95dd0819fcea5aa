// One object in the bucket browser and the bucket's settings (docs/console.md). The object page:
// a presigned download link with an expiry picker (a GET form: making a link changes nothing),
// the older versions with their own links, the ACL editor, delete (into the trash). The settings
// page: the bucket ACL editor, the CORS and lifecycle configurations FDS stores (JSON, checked and
// given rule ids by FDS), and the bucket's trash with restore. Every change is a POST with CSRF
// answered 303; FDS refusals come back on the page.
import { Type } from '@sinclair/typebox';
import type { Context } from '../../../context.ts';
import { ALL_USERS, AUTHENTICATED_USERS } from '../../../core/fds/acl.ts';
import { HTML_PAGE } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { BucketBrowser, BucketConfigName } from '../../../services/fds/bucket-browser.ts';
import { FdsCallError } from '../../../services/fds/signed-fetch.ts';
import { when, whenIso } from '../../../web/when.ts';
import {
  act,
  BucketParams,
  BucketQuery,
  bucketPage,
  EXPIRY_CHOICES,
  expiryOf,
  grantOf,
  ownBucket,
  PERMISSION_CHOICES,
} from './bucket-kit.ts';
import { back, Form, type Guard, requireCsrf } from './forms.ts';

const GRANTEES = [ALL_USERS, AUTHENTICATED_USERS, 'user'];
const editor = { grantees: GRANTEES, permissions: PERMISSION_CHOICES };

export async function bucketObjectRoutes(app: TypedInstance, ctx: Context, guard: Guard, browser: BucketBrowser) {
  const ObjectQuery = Type.Composite([BucketQuery, Type.Object({ name: Type.String({ minLength: 1, maxLength: 1024 }) })]);
  app.get(
    '/console/buckets/:bucket/object',
    { preHandler: guard, schema: { params: BucketParams, querystring: ObjectQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const { key, bucket } = await ownBucket(browser, req, req.params.bucket);
      const name = req.query.name;
      const ms = expiryOf(req.query.expires);
      const grants = await browser.acl(key, bucket.name, name).catch((e) => {
        if (e instanceof FdsCallError && e.status === 404) return undefined;
        throw e;
      });
      const versions = await browser.versionIds(key, bucket.name, name).catch((e) => {
        if (e instanceof FdsCallError && e.status === 404) return [];
        throw e;
      });
      const link = grants ? browser.presignGet(key, bucket.name, name, ms) : undefined;
      const slash = name.lastIndexOf('/');
      return bucketPage(ctx, req, reply, 'console-object', name, {
        bucket: bucket.name,
        name,
        folder: slash >= 0 ? name.slice(0, slash + 1) : '',
        exists: grants !== undefined,
        grants: grants ?? [],
        link: link && { url: link.url, until: when(link.expires) },
        expiry: ms / 1000,
        expiries: EXPIRY_CHOICES,
        versions: versions.slice(0, 50).map((v) => ({ id: v, url: browser.presignGet(key, bucket.name, name, ms, v).url })),
        editor,
      });
    },
  );

  app.post('/console/buckets/:bucket/object', { preHandler: guard, schema: { params: BucketParams, body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    const { key, bucket } = await ownBucket(browser, req, req.params.bucket);
    const b = req.body;
    const name = b.name ?? '';
    if (!name) return back(reply, `/console/buckets/${bucket.name}`);
    const path = `/console/buckets/${bucket.name}/object`;
    if (b.action === 'delete') {
      try {
        await browser.remove(key, bucket.name, name);
      } catch (e) {
        if (e instanceof FdsCallError) return back(reply, path, { name, error: e.message });
        throw e;
      }
      const slash = name.lastIndexOf('/');
      return back(reply, `/console/buckets/${bucket.name}`, { prefix: slash >= 0 ? name.slice(0, slash + 1) : undefined, done: 'deleted' });
    }
    const g = grantOf(b);
    if (!g || (b.action !== 'grant' && b.action !== 'revoke')) return back(reply, path, { name, error: 'grantee / permission' });
    return act(reply, path, { name }, async () => {
      await browser.changeAcl(key, bucket.name, name, g, b.action === 'revoke');
      return b.action === 'revoke' ? 'revoked' : 'granted';
    });
  });

  app.get(
    '/console/buckets/:bucket/settings',
    { preHandler: guard, schema: { params: BucketParams, querystring: BucketQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const { key, bucket } = await ownBucket(browser, req, req.params.bucket);
      const trash = await browser.trash(key, bucket.name, req.query.marker ?? '');
      return bucketPage(ctx, req, reply, 'console-bucket-settings', bucket.name, {
        bucket: bucket.name,
        grants: await browser.acl(key, bucket.name),
        cors: await browser.config(key, bucket.name, 'cors'),
        lifecycle: await browser.config(key, bucket.name, 'lifecycle'),
        trash: trash.objects.map((o) => ({ ...o, lastModified: whenIso(o.lastModified) })),
        nextMarker: trash.nextMarker,
        editor,
      });
    },
  );

  app.post('/console/buckets/:bucket/settings', { preHandler: guard, schema: { params: BucketParams, body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    const { key, bucket } = await ownBucket(browser, req, req.params.bucket);
    const b = req.body;
    const path = `/console/buckets/${bucket.name}/settings`;
    switch (b.action) {
      case 'grant':
      case 'revoke': {
        const g = grantOf(b);
        if (!g) return back(reply, path, { error: 'grantee / permission' });
        return act(reply, path, {}, async () => {
          await browser.changeAcl(key, bucket.name, undefined, g, b.action === 'revoke');
          return b.action === 'revoke' ? 'revoked' : 'granted';
        });
      }
      case 'cors':
      case 'lifecycle': {
        const which: BucketConfigName = b.action;
        const json = (b.config ?? '').trim() || '{"rules":[]}';
        try {
          JSON.parse(json);
        } catch {
          return back(reply, path, { error: `${which}: not JSON` });
        }
        return act(reply, path, {}, async () => {
          await browser.setConfig(key, bucket.name, which, json);
          return 'saved';
        });
      }
      case 'restore': {
        const name = b.name ?? '';
        return act(reply, path, {}, async () => {
          await browser.restore(key, bucket.name, name);
          return 'restored';
        });
      }
      default:
        return back(reply, path, { error: 'action' });
    }
  });
}
