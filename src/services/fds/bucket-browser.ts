// The developer console's bucket browser (docs/console.md): a developer's own buckets, and what
// can be done in them, as FDS requests signed under one of the developer's app access keys
// (signed-fetch.ts), so the FDS site applies its own rules. This service decides two things: which
// key acts (the first enabled app of the developer that has one) and which buckets the console may touch
// (those the developer owns: another developer's bucket is "not found", even where an ACL grant
// would let the key in). Browsers get presigned URLs (core/fds/presign.ts) for downloads and for
// the parts of a multipart upload; the secret never leaves the server.
import type { Readable } from 'node:stream';
import type { GrantType, PermissionName } from '../../core/fds/acl.ts';
import { presignUrl } from '../../core/fds/presign.ts';
import { NotFoundError } from '../../lib/errors.ts';
import type { FdsBucketsRepo } from '../../store/db/fds/buckets-repo.ts';
import type { Bucket } from '../../store/db/fds/repos.ts';
import type { FdsKey, FdsKeys } from './keys.ts';
import { signedFetch } from './signed-fetch.ts';

/** Longest life of a presigned link made in the console. */
export const CONSOLE_PRESIGN_MAX_MS = 7 * 24 * 3600 * 1000;
/** Objects per listing page. */
export const PAGE_SIZE = 50;
/** Smallest part of a browser multipart upload; larger files get larger parts (at most MAX_PARTS). */
export const PART_SIZE = 8 * 1024 * 1024;
export const MAX_PARTS = 1000;
/** How long the part URLs of an upload live. */
const UPLOAD_URL_MS = 6 * 3600 * 1000;

export type BucketConfigName = 'cors' | 'lifecycle';

export interface Grantee {
  id: string;
  type: GrantType;
  permission: PermissionName;
}

export interface ObjectEntry {
  name: string;
  size: number;
  lastModified: string;
  versionId: string;
}

export interface Listing {
  objects: ObjectEntry[];
  folders: string[];
  nextMarker: string | undefined;
}

export interface MultipartStart {
  uploadId: string;
  partSize: number;
  parts: string[];
  complete: string;
  abort: string;
}

interface RawListing {
  objects: ObjectEntry[];
  commonPrefixes: string[];
  nextMarker: string | null;
  truncated: boolean;
}

export class BucketBrowser {
  constructor(
    private readonly keys: FdsKeys,
    private readonly buckets: FdsBucketsRepo,
    private readonly appsOf: (developerId: string) => Promise<Array<{ clientId: string }>>,
    private readonly fdsUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key the console acts with for a developer: that of their first enabled app with one (undefined: none yet). */
  async keyFor(developerId: string): Promise<FdsKey | undefined> {
    for (const a of await this.appsOf(developerId)) {
      const k = await this.keys.forApp(a.clientId);
      if (k) return k;
    }
    return undefined;
  }

  listBuckets(developerId: string): Promise<Bucket[]> {
    return this.buckets.list(developerId);
  }

  /** The developer's own bucket; NotFoundError for another developer's bucket as for none. */
  async own(developerId: string, name: string): Promise<Bucket> {
    const b = await this.buckets.get(name);
    if (!b || b.owner_id !== developerId) throw new NotFoundError(`no bucket ${name}`);
    return b;
  }

  async createBucket(key: FdsKey, name: string): Promise<void> {
    await (await signedFetch(this.fdsUrl, key, { method: 'PUT', bucket: name })).arrayBuffer();
  }

  /** One page of the bucket (or trash) at `prefix`, `/`-folders apart. */
  async list(key: FdsKey, bucket: string, prefix: string, marker: string, delimiter = '/'): Promise<Listing> {
    const q = new URLSearchParams({ prefix, delimiter, maxKeys: String(PAGE_SIZE) });
    if (marker) q.set('marker', marker);
    const res = await signedFetch(this.fdsUrl, key, { method: 'GET', bucket, query: q.toString() });
    const r = (await res.json()) as RawListing;
    return {
      objects: r.objects.map((o) => ({ name: o.name, size: o.size, lastModified: o.lastModified, versionId: o.versionId })),
      folders: r.commonPrefixes,
      nextMarker: r.truncated && r.nextMarker ? r.nextMarker : undefined,
    };
  }

  /** Streams a small upload (the no-JavaScript form) into a new version of `name`. */
  async put(key: FdsKey, bucket: string, name: string, body: Readable, contentType: string): Promise<void> {
    await (
      await signedFetch(this.fdsUrl, key, { method: 'PUT', bucket, object: name, body, headers: { 'content-type': contentType } })
    ).arrayBuffer();
  }

  /** Deletes the current version (into the trash, fds-protocol §8.4). */
  async remove(key: FdsKey, bucket: string, name: string): Promise<void> {
    await (await signedFetch(this.fdsUrl, key, { method: 'DELETE', bucket, object: name })).arrayBuffer();
  }

  /** Moves the newest trash entry of `name` back as its current version. */
  async restore(key: FdsKey, bucket: string, name: string): Promise<void> {
    await (await signedFetch(this.fdsUrl, key, { method: 'PUT', bucket, object: name, query: 'restore' })).arrayBuffer();
  }

  /** The bucket's entries in the developer's trash (names without the `<bucket>/` prefix). */
  async trash(key: FdsKey, bucket: string, marker: string): Promise<Listing> {
    const l = await this.list(key, 'trash', `${bucket}/`, marker, '');
    return { ...l, objects: l.objects.map((o) => ({ ...o, name: o.name.slice(bucket.length + 1) })) };
  }

  /** Non-current version ids of `name`, newest first (§8.2). */
  async versionIds(key: FdsKey, bucket: string, name: string): Promise<string[]> {
    const res = await signedFetch(this.fdsUrl, key, { method: 'GET', bucket, object: name, query: 'versionIds=true' });
    return (await res.json()) as string[];
  }

  /** The grants of a bucket (object '' or undefined) or an object. */
  async acl(key: FdsKey, bucket: string, object?: string): Promise<Grantee[]> {
    const res = await signedFetch(this.fdsUrl, key, { method: 'GET', bucket, object, query: 'acl' });
    const p = (await res.json()) as { accessControlList: Array<{ grantee: { id: string }; type: GrantType; permission: PermissionName }> };
    return p.accessControlList.map((g) => ({ id: g.grantee.id, type: g.type, permission: g.permission }));
  }

  /** Adds (merges) or removes one grant (§7.3). */
  async changeAcl(key: FdsKey, bucket: string, object: string | undefined, g: Grantee, remove: boolean): Promise<void> {
    const body = JSON.stringify({ accessControlList: [{ grantee: { id: g.id }, type: g.type, permission: g.permission }] });
    const query = remove ? 'acl&action=delete' : 'acl';
    const headers = { 'content-type': 'application/json; charset=UTF-8' };
    await (await signedFetch(this.fdsUrl, key, { method: 'PUT', bucket, object, query, body, headers })).arrayBuffer();
  }

  /** A bucket configuration as FDS stores it (pretty JSON), '' when it has none. */
  async config(key: FdsKey, bucket: string, which: BucketConfigName): Promise<string> {
    try {
      const res = await signedFetch(this.fdsUrl, key, { method: 'GET', bucket, query: `${which}=` });
      const text = await res.text();
      return text ? JSON.stringify(JSON.parse(text), null, 2) : '';
    } catch (e) {
      if (e instanceof Error && 'status' in e && e.status === 404) return '';
      throw e;
    }
  }

  /** Replaces a bucket configuration with `json` (FDS checks it and assigns rule ids). */
  async setConfig(key: FdsKey, bucket: string, which: BucketConfigName, json: string): Promise<void> {
    const headers = { 'content-type': 'application/json; charset=UTF-8' };
    await (await signedFetch(this.fdsUrl, key, { method: 'PUT', bucket, query: `${which}=true`, body: json, headers })).arrayBuffer();
  }

  /** A presigned GET of the object (of one version when given), living `ms` (capped at CONSOLE_PRESIGN_MAX_MS). */
  presignGet(key: FdsKey, bucket: string, name: string, ms: number, versionId?: string): { url: string; expires: number } {
    const expires = this.now() + Math.min(Math.max(ms, 60_000), CONSOLE_PRESIGN_MAX_MS);
    const subResources = versionId ? [`versionId=${encodeURIComponent(versionId)}`] : [];
    const url = presignUrl(this.fdsUrl, {
      bucket,
      object: name,
      expires,
      subResources,
      accessKeyId: key.accessKeyId,
      secret: key.accessSecret,
    });
    return { url, expires };
  }

  /**
   * Starts a multipart upload of `size` bytes as `name` (the server sends the initiation) and
   * presigns, for the browser, each part's PUT (Content-Type application/octet-stream), the
   * completing PUT (with `contentType`, the object's type) and the abort.
   */
  async startMultipart(key: FdsKey, bucket: string, name: string, size: number, contentType: string): Promise<MultipartStart> {
    const partSize = Math.max(PART_SIZE, Math.ceil(size / MAX_PARTS));
    const count = Math.max(1, Math.ceil(size / partSize));
    const res = await signedFetch(this.fdsUrl, key, { method: 'PUT', bucket, object: name, query: 'uploads' });
    const { uploadId } = (await res.json()) as { uploadId: string };
    const expires = this.now() + UPLOAD_URL_MS;
    const sign = (method: string, sub: string[], type?: string) =>
      presignUrl(this.fdsUrl, {
        method,
        bucket,
        object: name,
        expires,
        subResources: sub,
        contentType: type,
        accessKeyId: key.accessKeyId,
        secret: key.accessSecret,
      });
    const id = `uploadId=${encodeURIComponent(uploadId)}`;
    return {
      uploadId,
      partSize,
      parts: Array.from({ length: count }, (_, i) => sign('PUT', [id, `partNumber=${i + 1}`], 'application/octet-stream')),
      complete: sign('PUT', [id], contentType),
      abort: sign('DELETE', [id]),
    };
  }
}
