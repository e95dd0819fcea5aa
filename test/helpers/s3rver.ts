// An S3-compatible server (s3rver) in this process on loopback, with one bucket, in its own
// temporary directory: what the S3 blob store tests run against.
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { tmpDir } from './env.ts';

export interface S3rverHandle {
  /** An `OPAL_BLOB_URL` for keys under `prefix` in the bucket. */
  url(prefix: string): string;
  close(): Promise<void>;
}

export async function startS3rver(bucket: string): Promise<S3rverHandle> {
  const dir = tmpDir('opal-s3rver-');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.path,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const addr = (await server.run()) as AddressInfo;
  return {
    url: (prefix) => `s3://S3RVER:S3RVER@${bucket}/${prefix}?endpoint=http://127.0.0.1:${addr.port}&region=us-east-1`,
    async close() {
      await server.close();
      dir.remove();
    },
  };
}
