// `opal fds rekey`: rewraps every blob's data key under the current master key (docs/storage.md,
// "Key rotation"). Idempotent and resumable: a blob already under the current key is skipped, so a
// run that stopped part-way is finished by running it again. One blob at a time, streamed. With
// `encryptPlaintext`, blobs written before encryption was turned on are encrypted too.
import type { EncryptedBlobStore } from '../../store/blobs/encrypted-blob-store.ts';

export interface RekeyReport {
  /** Blobs looked at. */
  checked: number;
  /** Blobs rewrapped in this run. */
  rekeyed: number;
  /** Blobs without encryption that this run encrypted (with `encryptPlaintext`). */
  encrypted: number;
  /** Blobs that could not be rewrapped (unknown master key, damaged, not encrypted): key and reason. */
  failed: Array<{ key: string; error: string }>;
}

/** At most this many failures are listed in the report (the count goes on). */
const LISTED_FAILURES = 100;

export async function rekeyBlobs(
  store: EncryptedBlobStore,
  opts: { encryptPlaintext?: boolean; onProgress?: (r: RekeyReport) => void } = {},
): Promise<RekeyReport & { failures: number }> {
  const report: RekeyReport & { failures: number } = { checked: 0, rekeyed: 0, encrypted: 0, failed: [], failures: 0 };
  for await (const key of store.keysOf()) {
    report.checked++;
    try {
      if (opts.encryptPlaintext && (await store.encryptPlaintext(key))) report.encrypted++;
      else if (await store.rekey(key)) report.rekeyed++;
    } catch (e) {
      report.failures++;
      if (report.failed.length < LISTED_FAILURES) report.failed.push({ key, error: (e as Error).message });
    }
    if (opts.onProgress && report.checked % 1000 === 0) opts.onProgress(report);
  }
  return report;
}
