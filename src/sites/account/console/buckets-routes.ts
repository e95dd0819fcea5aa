// The bucket browser's list pages (docs/console.md): the developer's buckets (and a form to create
// one), a bucket's objects at a prefix with its folders and pages (the FDS listing marker), the
// upload form that works without JavaScript (small files, streamed through the server) and the
// JSON route the page's script uses to upload large files straight to FDS: the server starts the
// multipart upload and hands back presigned part URLs (the secret stays on the server).
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Context } from '../../../context.ts';
import { HTML_PAGE } from '../../../http/schemas.ts';
import type { TypedInstance } from '../../../http/typed.ts';
import type { BucketBrowser } from '../../../services/fds/bucket-browser.ts';
import { FdsCallError } from '../../../services/fds/signed-fetch.ts';
import { whenIso } from '../../../web/when.ts';
import { act, BucketParams, BucketQuery, bucketPage, crumbsOf, ownBucket, sizeText } from './bucket-kit.ts';
import { developerOf } from './developer-guard.ts';
import { Form, type Guard, requireCsrf } from './forms.ts';

/** Largest file of the upload form without JavaScript (larger ones: the script's multipart upload). */
export const FORM_UPLOAD_MAX = 32 * 1024 * 1024;
/** Largest file the script may upload in parts. */
const MULTIPART_MAX = 5 * 1024 ** 3;

const StartUpload = Type.Object({
  csrf: Type.String(),
  name: Type.String({ minLength: 1, maxLength: 1024 }),
  size: Type.Integer({ minimum: 0, maximum: MULTIPART_MAX }),
  type: Type.Optional(Type.String({ maxLength: 200 })),
});
const StartedUpload = Type.Object({
  uploadId: Type.String(),
  partSize: Type.Integer(),
  parts: Type.Array(Type.String()),
  complete: Type.String(),
  abort: Type.String(),
});

const Refusal = Type.Object({ error: Type.String(), message: Type.String() });

const pathOf = (bucket: string, prefix = '') => `/console/buckets/${bucket}${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`;
const CONTENT_TYPE_RE = /^[\w.+-]{1,100}\/[\w.+-]{1,100}$/;

export async function bucketListRoutes(app: TypedInstance, ctx: Context, guard: Guard, browser: BucketBrowser) {
  app.get(
    '/console/buckets',
    { preHandler: guard, schema: { querystring: BucketQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const devId = developerOf(req).developer.id;
      const buckets = await browser.listBuckets(devId);
      return bucketPage(ctx, req, reply, 'console-buckets', '', {
        buckets: buckets.map((b) => ({ name: b.name, created: new Date(b.created_at).toISOString().slice(0, 10) })),
        hasKey: (await browser.keyFor(devId)) !== undefined,
      });
    },
  );

  app.post('/console/buckets', { preHandler: guard, schema: { body: Form } }, async (req, reply) => {
    await requireCsrf(ctx, req, req.body);
    const name = (req.body.name ?? '').trim();
    const key = await browser.keyFor(developerOf(req).developer.id);
    if (!key) return reply.redirect('/console/buckets', 303);
    try {
      await browser.createBucket(key, name);
    } catch (e) {
      if (e instanceof FdsCallError) return reply.redirect(`/console/buckets?error=${encodeURIComponent(e.message)}`, 303);
      throw e;
    }
    return reply.redirect(`/console/buckets/${encodeURIComponent(name)}?done=created`, 303);
  });

  app.get(
    '/console/buckets/:bucket',
    { preHandler: guard, schema: { params: BucketParams, querystring: BucketQuery, response: { 200: HTML_PAGE } } },
    async (req, reply) => {
      const { key, bucket } = await ownBucket(browser, req, req.params.bucket);
      const prefix = req.query.prefix ?? '';
      const listing = await browser.list(key, bucket.name, prefix, req.query.marker ?? '');
      allowFdsConnections(reply, ctx.config.fdsPublicUrl);
      return bucketPage(ctx, req, reply, 'console-bucket', bucket.name, {
        bucket: bucket.name,
        prefix,
        crumbs: crumbsOf(prefix),
        folders: listing.folders.map((f) => ({ prefix: f, name: f.slice(prefix.length) })),
        objects: listing.objects.map((o) => ({
          ...o,
          short: o.name.slice(prefix.length),
          sizeText: sizeText(o.size),
          lastModified: whenIso(o.lastModified),
        })),
        nextMarker: listing.nextMarker,
        formMax: sizeText(FORM_UPLOAD_MAX),
      });
    },
  );

  // multipart/form-data: csrf and prefix come before the file in the form, so they are read first.
  app.post('/console/buckets/:bucket/upload', { preHandler: guard, schema: { params: BucketParams } }, async (req, reply) => {
    const { key, bucket } = await ownBucket(browser, req, req.params.bucket);
    if (!req.isMultipart()) return reply.redirect(`${pathOf(bucket.name)}?error=multipart/form-data`, 303);
    const fields: Record<string, string> = {};
    let path = pathOf(bucket.name);
    for await (const part of req.parts({ limits: { fileSize: FORM_UPLOAD_MAX, files: 1, fields: 5 } })) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      await requireCsrf(ctx, req, fields);
      const prefix = fields.prefix ?? '';
      path = pathOf(bucket.name, prefix);
      const name = `${prefix}${part.filename}`;
      if (!part.filename) {
        part.file.resume();
        continue;
      }
      // Past the limit the body is cut, never stored: the request to FDS is aborted.
      part.file.on('limit', () => part.file.destroy(new Error('file too large')));
      const type = CONTENT_TYPE_RE.test(part.mimetype) ? part.mimetype : 'application/octet-stream';
      return act(reply, pathOf(bucket.name), prefix ? { prefix } : {}, async () => {
        try {
          await browser.put(key, bucket.name, name, part.file, type);
        } catch (e) {
          if (part.file.truncated) throw new FdsCallError(413, `file larger than ${sizeText(FORM_UPLOAD_MAX)}`);
          throw e;
        }
        return 'uploaded';
      });
    }
    await requireCsrf(ctx, req, fields);
    return reply.redirect(path, 303);
  });

  app.post(
    '/console/buckets/:bucket/uploads',
    {
      preHandler: guard,
      schema: { params: BucketParams, body: StartUpload, response: { 200: StartedUpload, 400: Refusal, 403: Refusal, 502: Refusal } },
    },
    async (req, reply) => {
      const refuse = (status: 400 | 403 | 502, message: string) => reply.code(status).send({ error: 'invalid_request', message });
      if (!(await ctx.services.web.csrf.verify(req, req.body.csrf))) return refuse(403, 'CSRF token missing or wrong');
      const { key, bucket } = await ownBucket(browser, req, req.params.bucket);
      const type = req.body.type && CONTENT_TYPE_RE.test(req.body.type) ? req.body.type : 'application/octet-stream';
      try {
        return await browser.startMultipart(key, bucket.name, req.body.name, req.body.size, type);
      } catch (e) {
        if (e instanceof FdsCallError) return refuse(e.status >= 500 ? 502 : 400, e.message);
        throw e;
      }
    },
  );
}

/**
 * The bucket page's script sends the parts to the FDS origin: its Content-Security-Policy (helmet's,
 * set for every account page by http/security-headers.ts) gains `connect-src 'self' <FDS origin>` on this page only.
 */
function allowFdsConnections(reply: FastifyReply, fdsUrl: string): void {
  const csp = reply.getHeader('content-security-policy');
  if (typeof csp !== 'string' || csp.includes('connect-src')) return;
  reply.header('content-security-policy', `${csp};connect-src 'self' ${new URL(fdsUrl).origin}`);
}
