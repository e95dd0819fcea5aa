// `opal fds rekey`: rewraps every blob's data key under the current master key (docs/storage.md,
// "Key rotation"). Idempotent and resumable: a blob already under the current key is skipped, so a
// run that stopped part-way is finished by running it again. One blob at a time, streamed.
import type { EncryptedBlobStore } from '../../store/blobs/encrypted-blob-store.ts';

export interface RekeyReport {
  /** Blobs looked at. */
  checked: number;
  /** Blobs rewrapped in this run. */
  rekeyed: number;
  /** Blobs that could not be rewrapped (unknown master key, damaged, not encrypted): key and reason. */
  failed: Array<{ key: string; error: string }>;
}

/** At most this many failures are listed in the report (the count goes on). */
const LISTED_FAILURES = 100;

export async function rekeyBlobs(
  store: EncryptedBlobStore,
  onProgress?: (r: RekeyReport) => void,
): Promise<RekeyReport & { failures: number }> {
  const report: RekeyReport & { failures: number } = { checked: 0, rekeyed: 0, failed: [], failures: 0 };
  for await (const key of store.keysOf()) {
    report.checked++;
    try {
      if (await store.rekey(key)) report.rekeyed++;
    } catch (e) {
      report.failures++;
      if (report.failed.length < LISTED_FAILURES) report.failed.push({ key, error: (e as Error).message });
    }
    if (onProgress && report.checked % 1000 === 0) onProgress(report);
  }
  return report;
}
