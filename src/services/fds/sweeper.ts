// Background maintenance of the FDS store: frees blobs no metadata references (dead ones at once,
// pending ones once their upload is surely over), and applies lifecycle rules (expiration of
// current objects, nonCurrentVersionExpiration, abortIncompleteMultipartUpload). Stops on close.
import { lifecycleAge, type RulesConfig } from '../../core/fds/bucket-config.ts';
import type { FdsDerivedCache } from './derived-cache.ts';
import type { FdsStorage } from './storage.ts';

/** An upload whose blob is still pending after this long has died with its process. */
export const PENDING_BLOB_TTL_MS = 6 * 3600 * 1000;

export class FdsSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly storage: FdsStorage,
    private readonly derived?: FdsDerivedCache,
  ) {}

  start(intervalMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      this.runOnce().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass (serialized: a pass in progress is awaited, not doubled). */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Lifecycle rules, then collection. Collection runs even when a rule failed: a failed pass may
   * have committed part of its deletions already, whose blobs wait in fds_blob_gc as dead.
   */
  private async pass(): Promise<void> {
    try {
      await this.lifecycle();
    } finally {
      await this.derived?.collect();
      await this.collect();
    }
  }

  private async collect(): Promise<void> {
    const { blobGc } = this.storage.repos;
    for (;;) {
      if (this.stopped) return;
      const keys = await blobGc.collectable(this.storage.now() - PENDING_BLOB_TTL_MS, 200);
      if (keys.length === 0) return;
      await this.storage.free(keys);
      if (keys.length < 200) return;
    }
  }

  /** Applies each bucket's rules; a bucket whose rules fail does not stop the others (the first error is thrown at the end). */
  private async lifecycle(): Promise<void> {
    let failure: unknown;
    for (const b of await this.storage.repos.buckets.withLifecycle()) {
      if (this.stopped) return;
      await this.applyRules(b).catch((e: unknown) => {
        failure ??= e;
      });
    }
    if (failure !== undefined) throw failure;
  }

  private async applyRules(b: { name: string; lifecycle?: RulesConfig | null | undefined }): Promise<void> {
    const { objects, uploads } = this.storage.repos;
    const now = this.storage.now();
    for (const rule of b.lifecycle?.rules ?? []) {
      if (rule.enabled === false) continue;
      const prefix = typeof rule.prefix === 'string' ? rule.prefix : '';
      const one: RulesConfig = { rules: [rule] };
      const exp = lifecycleAge(one, prefix, 'expiration');
      if (exp !== undefined) {
        for (const o of await objects.expired(b.name, prefix, now - exp, true, 1000)) await objects.expireCurrent(o, now - exp);
      }
      const nonCurrent = lifecycleAge(one, prefix, 'nonCurrentVersionExpiration');
      if (nonCurrent !== undefined) {
        const old = await objects.expired(b.name, prefix, now - nonCurrent, false, 1000);
        await this.storage.free(await objects.expireNonCurrent(b.name, old, now - nonCurrent));
      }
      const abort = lifecycleAge(one, prefix, 'abortIncompleteMultipartUpload');
      if (abort !== undefined) {
        for (const u of await uploads.stale(b.name, now - abort)) {
          if (!u.name.startsWith(prefix)) continue;
          await this.storage.free((await uploads.abort(u.upload_id)) ?? []);
        }
      }
    }
  }
}
