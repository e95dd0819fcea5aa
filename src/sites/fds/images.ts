// Image processing (fds-protocol §5.13): `GET ?thumb=1&w=&h=`, `?f=webp[&q=]`, `?gf=<mimeType>`
// read like a GET of the object (the same ACL rules, presigned and server-signed URLs, anti-stealing
// links; extra unsigned `thumb=1&w=&h=` on a presigned URL, as Android adds them, are allowed) and
// answer the processed image (200, never ranged: Android suppresses Range for thumbnails).
// Results for the current version are cached as derived blobs (services/fds/derived-cache.ts);
// `x-opal-derived: hit|miss` says which. `PUT ?cropImage&x=&y=&w=&h=` writes the cropped image as
// a new version of the object (a put: bucket WRITE, and READ of the source).
import { Readable } from 'node:stream';
import { FdsError } from '../../core/fds/errors.ts';
import { type ImageOp, imageOpKey, parseCrop, parseImageOp } from '../../core/fds/image-params.ts';
import type { ObjectVersion } from '../../store/db/fds/repos.ts';
import { checkReadObject, checkWrite, requireBucket } from './access.ts';
import type { FdsCall } from './call.ts';
import { addressed, commitNewVersion } from './objects.ts';
import { sendCased } from './replies.ts';
import { readSmallBody } from './streams.ts';

async function sourceBytes(c: FdsCall, o: ObjectVersion): Promise<Buffer> {
  c.env.ctx.services.fdsImages.checkSourceSize(o.size);
  if (o.size === 0) throw new FdsError('InvalidRequest', 'the object is not an image Opal can process (JPEG, PNG, WebP, GIF)');
  return readSmallBody(await c.env.ctx.blobs.get(o.blob_key), o.size);
}

function sendImage(c: FdsCall, o: ObjectVersion, body: Readable, size: number, type: string, derived: 'hit' | 'miss'): void {
  sendCased(
    c,
    200,
    {
      'Content-Type': type,
      'Content-Length': String(size),
      'Last-Modified': new Date(o.created_at).toUTCString(),
      'x-opal-derived': derived,
    },
    body,
  );
}

export async function getImage(c: FdsCall, kind: ImageOp['kind']): Promise<void> {
  const { b, o } = await addressed(c);
  const bucket = b ?? (await c.env.buckets.get(o.bucket));
  const op = parseImageOp(kind, c.params, {
    webpQuality: bucket?.configs.webpQuality?.value,
    gifType: bucket?.configs.gifType?.value,
  });
  const cache = c.env.ctx.services.fdsDerived;
  const key = imageOpKey(op);
  const cacheable = o.is_current === 1 && cache.maxBytes > 0;
  if (cacheable) {
    const hit = await cache.lookup(o.version_id, key);
    if (hit) {
      sendImage(c, o, hit.body, hit.row.size, hit.row.content_type, 'hit');
      return;
    }
  }
  c.env.ctx.services.fdsImages.checkSourceSize(o.size);
  const r = await c.env.ctx.services.fdsImages.render(() => sourceBytes(c, o), op);
  if (cacheable) await cache.store(o.version_id, key, r.data, r.contentType);
  sendImage(c, o, Readable.from([r.data]), r.data.length, r.contentType, 'miss');
}

export async function cropImage(c: FdsCall): Promise<void> {
  const crop = parseCrop(c.params);
  const b = await requireBucket(c);
  checkWrite(c, b);
  const name = c.object ?? '';
  const o = await c.env.objects.current(b.name, name);
  if (!o) throw new FdsError('ObjectNotFound');
  checkReadObject(c, b, o);
  await readSmallBody(c.body, 64 * 1024); // Java sends `""`
  c.env.ctx.services.fdsImages.checkSourceSize(o.size);
  const r = await c.env.ctx.services.fdsImages.crop(() => sourceBytes(c, o), crop);
  const blob = await c.env.storeBlob(Readable.from([r.data]));
  await commitNewVersion(c, b, name, blob, { contentType: r.contentType, headers: o.meta });
}
