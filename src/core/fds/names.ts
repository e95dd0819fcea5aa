// Bucket and object names (fds-protocol §4, §15.8: be lenient). `trash` is the per-developer trash
// (§8.4); `healthz`, `readyz`, `metrics` and `openapi.json` are reserved because the FDS origin
// serves /healthz, /readyz, /metrics and /openapi.json itself.
import { FdsError } from './errors.ts';

export const TRASH_BUCKET = 'trash';
export const RESERVED_BUCKETS: ReadonlySet<string> = new Set([TRASH_BUCKET, 'healthz', 'readyz', 'metrics', 'openapi.json']);

const BUCKET_RE = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export function checkBucketName(name: string): void {
  if (!BUCKET_RE.test(name) || RESERVED_BUCKETS.has(name)) throw new FdsError('InvalidBucketName', name.slice(0, 140));
}

/** Object names: 1..1024 UTF-8 bytes, no NUL. */
export function checkObjectName(name: string): void {
  if (name === '' || Buffer.byteLength(name, 'utf8') > 1024 || name.includes('\0')) throw new FdsError('InvalidObjectName');
}
