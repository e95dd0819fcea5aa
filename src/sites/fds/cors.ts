// CORS (fds-protocol §3): the fixed headers the real server sends on every response, and
// Access-Control-Allow-Origin for an Origin the bucket's CORS rules allow (any origin when the
// bucket has no CORS configuration). OPTIONS on any path answers 200 with these headers.
// Unlike the real server, no `Access-Control-Allow-Credentials: true` (issue 11, finding 7): with
// any Origin echoed, it would let every site read answers made with the browser's cookies of this
// host. FDS authenticates by signature, token or URL, never by cookie, so no client needs it.
import { originAllowed } from '../../core/fds/bucket-config.ts';
import type { FdsCall } from './call.ts';

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Max-Age': '1728000',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, HEAD, DELETE, OPTIONS',
  'Access-Control-Allow-Headers':
    'DNT,X-Mx-ReqToken,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization,Content-MD5',
  'Access-Control-Expose-Headers': 'content-md5, upload-time, x-xiaomi-meta-content-length',
};

export async function applyCors(c: FdsCall): Promise<void> {
  const origin = c.header('origin');
  if (!origin) return;
  let allowed = true;
  if (c.bucket !== undefined) {
    const cfg = (await c.env.buckets.get(c.bucket))?.cors;
    if (cfg?.rules.length) allowed = originAllowed(cfg, origin);
  }
  if (allowed) {
    c.reply.header('Access-Control-Allow-Origin', origin);
    c.reply.header('Vary', 'Origin');
  }
}
