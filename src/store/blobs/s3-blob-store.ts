// S3-compatible blobs (AWS S3, MinIO, Ceph, …) for scale-out. Uploads stream through a multipart
// upload (lib-storage), so memory stays bounded; S3 makes an object visible only once complete.
// URL form: s3://[accessKeyId:secretAccessKey@]bucket[/prefix]?endpoint=…&region=…&forcePathStyle=true
import { createRequire } from 'node:module';
import { PassThrough, type Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { assertBlobKey, BlobNotFoundError, type BlobStore, type ByteRange, type PutResult } from './blob-store.ts';
import { CountingHash } from './counting-hash.ts';

type Sdk = typeof import('@aws-sdk/client-s3') & Pick<typeof import('@aws-sdk/lib-storage'), 'Upload'>;

/**
 * The AWS SDK, the largest dependency, loaded when the first S3 store is set up. A static import
 * would be hoisted to the top of the bundle (dist/opal.mjs) and loaded by every server, S3 or not.
 */
function awsSdk(): Sdk {
  const load = createRequire(import.meta.url);
  return { ...(load('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3')), Upload: load('@aws-sdk/lib-storage').Upload };
}

export interface S3Location {
  bucket: string;
  prefix: string;
  client: S3Client;
  sdk: Sdk;
}

export function parseS3Url(url: string, env: NodeJS.ProcessEnv = process.env): S3Location {
  const sdk = awsSdk();
  const u = new URL(url);
  if (u.protocol !== 's3:' || !u.hostname) throw new Error('OPAL_BLOB_URL must look like s3://bucket[/prefix]?endpoint=…');
  const q = u.searchParams;
  const accessKeyId = decodeURIComponent(u.username) || q.get('accessKeyId') || env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = decodeURIComponent(u.password) || q.get('secretAccessKey') || env.AWS_SECRET_ACCESS_KEY;
  const endpoint = q.get('endpoint') ?? undefined;
  const client = new sdk.S3Client({
    region: q.get('region') ?? env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: (q.get('forcePathStyle') ?? (endpoint ? 'true' : 'false')) === 'true',
    // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's default
    // streaming (aws-chunked) checksum trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  });
  const prefix = u.pathname.replace(/^\/+/, '').replace(/\/*$/, '');
  return { bucket: u.hostname, prefix: prefix ? `${prefix}/` : '', client, sdk };
}

export class S3BlobStore implements BlobStore {
  constructor(private readonly loc: S3Location) {}

  private keyOf(key: string): string {
    assertBlobKey(key);
    return this.loc.prefix + key;
  }

  async put(key: string, body: Readable): Promise<PutResult> {
    const counter = new CountingHash();
    const pass = new PassThrough();
    body.on('error', (e) => pass.destroy(e));
    body.pipe(counter).pipe(pass);
    const upload = new this.loc.sdk.Upload({
      client: this.loc.client,
      params: { Bucket: this.loc.bucket, Key: this.keyOf(key), Body: pass },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    await upload.done();
    return counter.result();
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const r = await this.loc.client.send(
        new this.loc.sdk.GetObjectCommand({
          Bucket: this.loc.bucket,
          Key: this.keyOf(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return r.Body as Readable;
    } catch (e) {
      if (e instanceof this.loc.sdk.NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') throw new BlobNotFoundError(key);
      throw e;
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const r = await this.loc.client.send(new this.loc.sdk.HeadObjectCommand({ Bucket: this.loc.bucket, Key: this.keyOf(key) }));
      return r.ContentLength ?? 0;
    } catch (e) {
      if (e instanceof this.loc.sdk.NotFound || (e as { name?: string }).name === 'NotFound') return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.loc.client.send(new this.loc.sdk.DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.keyOf(key) }));
  }

  async *list(): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const r = await this.loc.client.send(
        new this.loc.sdk.ListObjectsV2Command({
          Bucket: this.loc.bucket,
          Prefix: this.loc.prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of r.Contents ?? []) {
        const key = o.Key?.slice(this.loc.prefix.length) ?? '';
        if (/^[A-Za-z0-9_-]{8,128}$/.test(key)) yield key;
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }

  async check(): Promise<void> {
    await this.loc.client.send(new this.loc.sdk.HeadBucketCommand({ Bucket: this.loc.bucket }));
  }

  async close(): Promise<void> {
    this.loc.client.destroy();
  }
}
